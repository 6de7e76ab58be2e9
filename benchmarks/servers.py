"""Start gunicorn (the portal) or Datasette on a free loopback port for a bounded benchmark, then stop it.

Each server runs in its own process group, started here and ended here by its own id (SIGTERM, then
SIGKILL after a grace period); its output goes to benchmarks/data/logs/."""
from __future__ import annotations

import contextlib
import os
import runpy
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "benchmarks" / "data" / "logs"
BIN = Path(sys.executable).parent
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_available(url: str = REDIS_URL) -> bool:
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        return True
    except Exception:  # noqa: BLE001 - any failure means "not there", and the bench says so
        return False


def flush_redis(url: str = REDIS_URL) -> None:
    """Empty the benchmark's own Redis database (its number is in BENCH_REDIS_URL), so each run starts cold."""
    import redis

    redis.Redis.from_url(url).flushdb()


def portal_env(database_url: str, *, cache: bool, redis: bool) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DJANGO_", "PORTAL_", "CACHE_", "DATABASE_"))}
    env.update({
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": "benchmark-only-secret-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "API_ANON_RATE": "100000000/minute",  # the load is the point, not the rate limit
        # The switch of the response cache (issue 11): off, every answer is computed and none is stored.
        "PORTAL_CACHE_PAGES": "1" if cache else "0",
        "CACHE_KEY_PREFIX": "bench",
        "LOG_LEVEL": "ERROR",
    })
    env.pop("REDIS_URL", None)
    if redis:
        env["REDIS_URL"] = REDIS_URL
    return env


def _wait_ready(url: str, process: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    stop = time.monotonic() + timeout
    while time.monotonic() < stop:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}; see {log}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status < 500:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    raise RuntimeError(f"server not ready after {timeout:.0f} s; see {log}")


@contextlib.contextmanager
def _serve(command: list[str], env: dict[str, str], ready_path: str, port: int, name: str) -> Iterator[str]:
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f"{name}.log"
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base_url + ready_path, process, log)
        yield base_url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def default_workers() -> int:
    """The number of workers `make run` starts: gunicorn.conf.py's (two per core, or WEB_CONCURRENCY)."""
    return int(runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"])


@contextlib.contextmanager
def gunicorn(database_url: str, *, cache: bool, redis: bool, name: str, workers: int | None = None,
             threads: int = 0) -> Iterator[str]:
    """The portal as `make run` serves it (gunicorn, sync workers, DEBUG off), on a free port; with
    `threads`, gthread workers (keep-alive connections, requests on a thread pool)."""
    port = free_port()
    command = [str(BIN / "gunicorn"), "portal.wsgi", "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers or default_workers()), "--timeout", "120", "--graceful-timeout", "5"]
    if threads:
        command += ["--worker-class", "gthread", "--threads", str(threads)]
    with _serve(command, portal_env(database_url, cache=cache, redis=redis), "/robots.txt", port, name) as url:
        yield url


@contextlib.contextmanager
def datasette(path: Path, *, name: str) -> Iterator[str]:
    """Datasette serving one SQLite file read-only, with a time limit high enough for full counts."""
    port = free_port()
    command = [str(BIN / "datasette"), "serve", str(path), "--host", "127.0.0.1", "--port", str(port),
               "--setting", "sql_time_limit_ms", "20000", "--setting", "suggest_facets", "off",
               "--setting", "allow_download", "off"]
    env = dict(os.environ)
    with _serve(command, env, "/-/versions.json", port, name) as url:
        yield url


def collectstatic() -> None:
    """DEBUG off serves hashed static file names: the manifest must exist, as with `make run`."""
    env = portal_env("sqlite://:memory:", cache=False, redis=False)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env,
                   check=True)
