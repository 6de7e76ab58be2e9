"""Anonymous rate limiting for the API, counted in the shared cache (Redis when REDIS_URL is set)."""
from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle


class AnonThrottle(AnonRateThrottle):
    """A fixed-window counter per client, one atomic increment per request.

    DRF's own throttle keeps every request's timestamp in a list that it reads, extends and writes
    back: two workers doing that at once lose each other's requests (a client gets more than its
    rate), and the list, sent to Redis and back on every request, grows with the rate. Here each
    window of the rate's duration has its own key, created with `add` (SET NX) and counted with
    `incr` (INCRBY), or on Redis with INCR and EXPIRE in one round trip: atomic across workers and app
    servers, a few bytes per request. A client may
    burst up to twice the rate across a window boundary, as with any fixed window.

    The rate is read per request (DRF binds THROTTLE_RATES at import, so API_ANON_RATE changes in
    tests would be ignored). Clients are identified by REMOTE_ADDR, or by the address our own proxies
    appended to X-Forwarded-For when NUM_PROXIES (API_NUM_PROXIES) says there are some."""

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def window_key(self, now: float) -> str:
        return f"{self.key}:{int(now // self.duration)}"

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        self.count = self._count(self.window_key(self.now))
        return self.count <= self.num_requests

    def _count(self, key: str) -> int:
        timeout = self.duration + 1  # the window's key outlives the window by a second, then goes
        if hasattr(self.cache, "incr_expiring"):  # Redis: one round trip (portal/cache.py)
            return self.cache.incr_expiring(key, timeout)
        try:
            return self.cache.incr(key)
        except ValueError:  # the window's first request
            if self.cache.add(key, 1, timeout):
                return 1
            return self.cache.incr(key)  # another worker added it first

    def wait(self) -> float:
        """Seconds until the window ends (Retry-After)."""
        return self.duration - (self.now % self.duration)
