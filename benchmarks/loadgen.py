"""A small, bounded loopback load generator (asyncio on uvloop, plain HTTP/1.1), run as its own process.

    python -m benchmarks.loadgen http://127.0.0.1:8000 --workload workload.json --clients 50 --duration 30

A workload is a list of kinds, each with a weight and its units; a unit is one path or several paths
fetched one after the other (Datasette needs four requests for what the portal's detail answers in
one). Each of `clients` coroutines picks a kind by weight and one of its units at random (seeded),
fetches it, and starts again until `duration` seconds have passed; the requests still in flight then
finish (each bounded by `timeout`). A request that answers 4xx/5xx, times out or fails to connect is
an error. Only loopback addresses are accepted: this never sends traffic off the machine.

It shares the server's two cores, so what it costs is taken from the server. Each client keeps one
connection (HTTP/1.1 keep-alive, where the server keeps it: gunicorn's sync workers close theirs after
every response) and reads each answer as it came, compressed if the server compressed it, as a browser
receives it: about 0.27 ms of CPU a request, against 0.8 ms through aiohttp's client session, which
held a load run's server to 800 req/s on /robots.txt where this one measured 1,400 (8 Dec 2026)."""
from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import uvloop

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.report import summary  # noqa: E402

MAX_REQUESTS = 1_000_000  # a second bound besides the duration


@dataclass
class Kind:
    name: str
    weight: float
    units: list[list[str]]


@dataclass
class KindResult:
    units: int = 0
    requests: int = 0
    errors: int = 0
    latencies_ms: list[float] = field(default_factory=list)


@dataclass
class LoadResult:
    clients: int
    duration_s: float
    elapsed_s: float
    requests: int
    errors: int
    statuses: dict[str, int]
    kinds: dict[str, KindResult]
    client_cpu_s: float = 0.0  # CPU time of this load generator itself: it shares the server's cores

    @property
    def rps(self) -> float:
        return self.requests / self.elapsed_s if self.elapsed_s else 0.0

    def latencies(self) -> list[float]:
        return [sample for kind in self.kinds.values() for sample in kind.latencies_ms]

    def as_dict(self, samples: bool = False) -> dict:
        kinds = {}
        for name, kind in self.kinds.items():
            entry = {"units": kind.units, "requests": kind.requests, "errors": kind.errors,
                     **summary(kind.latencies_ms)}
            if samples:
                entry["latencies_ms"] = kind.latencies_ms
            kinds[name] = entry
        return {"clients": self.clients, "duration_s": self.duration_s, "elapsed_s": round(self.elapsed_s, 3),
                "requests": self.requests, "errors": self.errors, "rps": round(self.rps, 2),
                "client_cpu_s": round(self.client_cpu_s, 3),
                "statuses": self.statuses, **summary(self.latencies()), "kinds": kinds}


def parse_workload(data: list[dict]) -> list[Kind]:
    kinds = []
    for item in data:
        units = [[unit] if isinstance(unit, str) else list(unit) for unit in item["units"]]
        if not units or any(not unit for unit in units):
            raise ValueError(f"workload kind {item.get('name')!r} has no units or an empty unit")
        kinds.append(Kind(item["name"], float(item.get("weight", 1)), units))
    if not kinds:
        raise ValueError("empty workload")
    return kinds


def require_loopback(base_url: str) -> None:
    host = urlsplit(base_url).hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise SystemExit(f"loadgen only sends traffic to loopback addresses, not {host!r}")


class Connection:
    """One client's HTTP/1.1 connection: GET a path, read the whole answer, keep the connection if the
    server does. The status as text, or the name of what went wrong (refused, timed out, cut short)."""

    def __init__(self, host: str, port: int, timeout: float):
        self.host, self.port, self.timeout = host, port, timeout
        self.head = (f"Host: {host}:{port}\r\nUser-Agent: portal-loadgen\r\nAccept: */*\r\n"
                     "Accept-Encoding: gzip, deflate\r\n\r\n").encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> str:
        for attempt in (1, 2):
            fresh = self.writer is None
            try:
                async with asyncio.timeout(self.timeout):
                    if fresh:
                        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
                    self.writer.write(b"GET " + path.encode() + b" HTTP/1.1\r\n" + self.head)
                    return await self._read()
            except asyncio.IncompleteReadError as error:
                self.close()
                if not error.partial and not fresh and attempt == 1:
                    continue  # the server closed a kept connection before this request: once more, on a new one
                return "IncompleteReadError"
            except (OSError, TimeoutError, ValueError, asyncio.LimitOverrunError) as error:
                self.close()
                return type(error).__name__
        raise AssertionError("unreachable")

    async def _read(self) -> str:
        reader = self.reader
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        version, status = lines[0].split(" ", 2)[:2]
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip().lower()
        keep = version == "HTTP/1.1" and headers.get("connection") != "close"
        if "content-length" in headers:
            await reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").endswith("chunked"):
            while (size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)):
                await reader.readexactly(size + 2)
            while await reader.readuntil(b"\r\n") != b"\r\n":  # trailers, then the empty line
                pass
        elif status not in ("204", "304") and not status.startswith("1"):
            await reader.read()  # the body ends where the connection does
            keep = False
        if not keep:
            self.close()
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def run_load(base_url: str, kinds: list[Kind], *, clients: int, duration: float, timeout: float = 30.0,
                   seed: int = 2026, max_requests: int = MAX_REQUESTS) -> LoadResult:
    require_loopback(base_url)
    base_url = base_url.rstrip("/")
    results = {kind.name: KindResult() for kind in kinds}
    statuses: Counter[str] = Counter()
    weights = [kind.weight for kind in kinds]
    sent = 0
    loop = asyncio.get_running_loop()
    started, cpu_started = loop.time(), time.process_time()
    deadline = started + duration

    async def client(number: int) -> None:
        nonlocal sent
        rng = random.Random(seed * 1000 + number)
        connection = Connection(host, port, timeout)
        try:
            while loop.time() < deadline and sent < max_requests:
                kind = rng.choices(kinds, weights)[0]
                unit = rng.choice(kind.units)
                result = results[kind.name]
                unit_started = time.perf_counter()
                for path in unit:
                    sent += 1
                    status = await connection.get(prefix + path)
                    statuses[status] += 1
                    result.requests += 1
                    if not status.isdigit() or int(status) >= 400:
                        result.errors += 1
                result.units += 1
                result.latencies_ms.append((time.perf_counter() - unit_started) * 1000)
        finally:
            connection.close()

    parts = urlsplit(base_url)
    host, port, prefix = parts.hostname, parts.port or 80, parts.path
    await asyncio.wait_for(asyncio.gather(*(client(n) for n in range(clients))), timeout=duration + 2 * timeout + 5)
    elapsed = loop.time() - started
    return LoadResult(clients=clients, duration_s=duration, elapsed_s=elapsed,
                      requests=sum(r.requests for r in results.values()),
                      errors=sum(r.errors for r in results.values()), statuses=dict(statuses), kinds=results,
                      client_cpu_s=time.process_time() - cpu_started)


async def probe(base_url: str, paths: list[str], *, timeout: float = 60.0, budget_s: float = 20.0) -> list[float]:
    """Fetch `paths` one after the other with one client; milliseconds per path (fewer if over budget)."""
    require_loopback(base_url)
    samples = []
    stop = time.perf_counter() + budget_s
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
        for path in paths:
            if samples and time.perf_counter() > stop:
                break
            started = time.perf_counter()
            async with session.get(base_url.rstrip("/") + path, allow_redirects=False) as response:
                await response.read()
                if response.status >= 400:
                    raise RuntimeError(f"{path}: HTTP {response.status}")
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("base_url")
    parser.add_argument("--workload", type=Path, required=True, help="JSON: [{name, weight, units}, ...]")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", action="store_true", help="print the result as JSON (with every sample)")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 500 or not 0 < args.duration <= 600:
        parser.error("--clients must be 1–500 and --duration 0–600 s")
    kinds = parse_workload(json.loads(args.workload.read_text(encoding="utf-8")))
    result = uvloop.run(run_load(args.base_url, kinds, clients=args.clients, duration=args.duration,
                                 timeout=args.timeout, seed=args.seed))
    if args.json:
        print(json.dumps(result.as_dict(samples=True)))
    else:
        data = result.as_dict()
        print(f"{data['requests']} requests in {data['elapsed_s']} s = {data['rps']} req/s, "
              f"p50 {data['median']:.1f} ms, p95 {data['p95']:.1f} ms, p99 {data['p99']:.1f} ms, "
              f"errors {data['errors']} {data['statuses']}")


def result_from_dict(data: dict) -> LoadResult:
    kinds = {name: KindResult(k["units"], k["requests"], k["errors"], k.get("latencies_ms", []))
             for name, k in data["kinds"].items()}
    return LoadResult(data["clients"], data["duration_s"], data["elapsed_s"], data["requests"], data["errors"],
                      data["statuses"], kinds, data.get("client_cpu_s", 0.0))


if __name__ == "__main__":
    main()

