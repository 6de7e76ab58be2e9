"""Anonymous rate limiting for the API, counted in the shared cache (Redis when REDIS_URL is set)."""
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle


class AnonThrottle(AnonRateThrottle):
    """DRF's anonymous throttle, reading its rate per request rather than once at import.

    DRF binds `THROTTLE_RATES` when the module is imported, so API_ANON_RATE changes in tests (and
    `override_settings`) would be ignored. Clients are identified by REMOTE_ADDR, or by the address our
    own proxies appended to X-Forwarded-For when NUM_PROXIES (API_NUM_PROXIES) says there are some."""

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
