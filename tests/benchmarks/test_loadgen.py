"""The benchmark's load generator counts requests and errors right (a tiny run; speed is measured in
`make bench`, never here). It runs as its own process against the live server, as in the benchmark."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.loadgen import Kind, require_loopback, run_load
from benchmarks.report import percentile

ROOT = Path(__file__).resolve().parent.parent.parent
PROFILE = "/agencies/huaihua-science-and-technology-bureau/"


def _loadgen(base_url: str, workload: list[dict], tmp_path: Path, *, duration: float) -> dict:
    path = tmp_path / "workload.json"
    path.write_text(json.dumps(workload))
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.loadgen", base_url, "--workload", str(path), "--clients", "2",
         "--duration", str(duration), "--timeout", "10", "--json"],
        cwd=ROOT, check=True, capture_output=True, text=True, timeout=60,
    ).stdout
    return json.loads(output)


@pytest.mark.slow
def test_two_clients_for_two_seconds_count_every_request_and_each_error(seed, live_server, tmp_path):
    found, missing = ["/robots.txt", PROFILE], "/agencies/no-such-bureau/"
    workload = [{"name": "found", "weight": 2, "units": found},
                {"name": "missing", "weight": 1, "units": [missing]},
                {"name": "two steps", "weight": 1, "units": [["/robots.txt", missing]]}]
    result = _loadgen(live_server.url, workload, tmp_path, duration=2)
    kinds = result["kinds"]
    # Every client finishes at least one unit, however slow the server (the machine is shared).
    assert sum(kind["units"] for kind in kinds.values()) >= 2 and result["rps"] > 0
    assert result["requests"] == sum(kind["requests"] for kind in kinds.values()) == sum(result["statuses"].values())
    assert kinds["found"]["errors"] == 0 and kinds["found"]["requests"] == kinds["found"]["units"]
    assert kinds["missing"]["errors"] == kinds["missing"]["requests"]
    assert result["errors"] == result["statuses"].get("404", 0)
    assert result["statuses"].get("200", 0) == result["requests"] - result["errors"]
    # Its own CPU time is counted (the cores it shares with the server): some, never more than it had.
    assert 0 < result["client_cpu_s"] <= result["elapsed_s"]

    # A unit of two requests counts two requests, one error (the 404) and one latency sample.
    result = _loadgen(live_server.url, workload[2:], tmp_path, duration=1)
    steps = result["kinds"]["two steps"]
    assert steps["units"] >= 2 and len(steps["latencies_ms"]) == steps["units"]
    assert result["requests"] == steps["requests"] == 2 * steps["units"]
    assert result["errors"] == steps["errors"] == steps["units"]
    assert result["statuses"] == {"200": steps["units"], "404": steps["units"]}


def test_a_refused_connection_is_an_error_not_a_crash(tmp_path):
    import socket

    with socket.socket() as unused:  # a port nobody listens on once closed
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    result = _loadgen(f"http://127.0.0.1:{port}", [{"name": "down", "units": ["/"]}], tmp_path, duration=0.3)
    assert result["requests"] == result["errors"] > 0
    assert set(result["statuses"]) == {"ConnectionRefusedError"}


ANSWERS = {  # how servers end an answer: a length (kept), chunks (kept), or closing the connection
    b"/length": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
    b"/chunked": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n2;x=y\r\nlo\r\n0\r\n\r\n",
    b"/close": b"HTTP/1.1 503 Busy\r\nConnection: close\r\n\r\nno length, closed",
    b"/short": b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\nConnection: close\r\n\r\ncut short",
}


def test_each_way_an_answer_ends_is_read_whole_and_kept_connections_are_reused():
    """The client reads HTTP/1.1 itself: a length, chunks and a closed connection each end an answer,
    a connection the server keeps serves the next request, and a body cut short is an error."""
    import asyncio
    import concurrent.futures

    connections, requests = [], []

    async def serve(reader, writer):
        connections.append(writer)
        try:
            while line := await reader.readline():
                await reader.readuntil(b"\r\n\r\n")
                path = line.split()[1]
                requests.append(path)
                writer.write(ANSWERS[path])
                await writer.drain()
                if path in (b"/close", b"/short"):
                    break
        finally:
            writer.close()

    async def measure():
        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        kinds = [Kind("kept", 3, [["/length", "/chunked"]]), Kind("closed", 1, [["/close"]]),
                 Kind("short", 1, [["/short"]])]
        async with server:
            return await run_load(f"http://127.0.0.1:{port}", kinds, clients=2, duration=0.5)

    # In a thread of its own: a browser test earlier in this process may have left its event loop running here.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        result = pool.submit(asyncio.run, measure()).result(timeout=60)
    kept, closed, short = (result.kinds[name] for name in ("kept", "closed", "short"))
    assert kept.units and closed.units and short.units
    assert kept.errors == 0 and kept.requests == 2 * kept.units
    assert closed.errors == closed.requests and short.errors == short.requests
    assert result.statuses == {"200": kept.requests, "503": closed.requests, "IncompleteReadError": short.requests}
    assert result.requests == len(requests)
    # A new connection only for the first request and after each answer that closed one.
    assert len(connections) <= 2 + closed.requests + short.requests < result.requests


@pytest.mark.parametrize("url", ["http://10.0.0.1:8000", "http://192.168.1.5", "http://example.org"])
def test_only_loopback_addresses_are_targets(url):
    with pytest.raises(SystemExit, match="loopback"):
        require_loopback(url)


def test_percentiles_are_nearest_rank():
    samples = [float(n) for n in range(1, 101)]
    assert (percentile(samples, 0.5), percentile(samples, 0.95), percentile(samples, 0.99)) == (50.0, 95.0, 99.0)
    assert percentile([7.0], 0.99) == 7.0
