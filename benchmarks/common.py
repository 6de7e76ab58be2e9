"""Small measuring helpers shared by the benchmark modules."""
import statistics
import time
from collections.abc import Callable


def percentiles(samples_ms: list[float]) -> str:
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered):7.2f} ms  p95 {p95:7.2f} ms  (n={len(ordered)})"


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def bench_caches() -> tuple[dict, str]:
    """The cache the in-process parts measure with: Redis (the production shape, a database of its own
    that is flushed first) when it answers, else local memory; and a label saying which."""
    import os

    url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).flushdb()
    except Exception:  # no Redis here: still measure, and say so
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}, "local memory"
    return {"default": {"BACKEND": "portal.cache.RedisCache", "LOCATION": url,
                        "KEY_PREFIX": "bench-inprocess"}}, f"Redis ({url})"
