"""Anonymous rate limiting: 429 with Retry-After, counted in the shared cache, not fooled by X-Forwarded-For."""
import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.test import override_settings

from api.throttling import AnonThrottle

API = "/api/v1"


def limited(rate: str = "3/minute", proxies: int = 0):
    return override_settings(
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": rate}, "NUM_PROXIES": proxies}
    )


@pytest.fixture
def agencies_url(seed):
    return f"{API}/agencies/"


def window_key(address: str = "127.0.0.1", seconds: int = 60) -> str:
    import time

    return f"throttle_anon_{address}:{int(time.time() // seconds)}"


def statuses(client, url, count, **headers) -> list[int]:
    return [client.get(url, **headers).status_code for _ in range(count)]


def test_over_the_limit_is_429_with_retry_after(client, agencies_url):
    with limited("3/minute"):
        assert statuses(client, agencies_url, 3) == [200, 200, 200]
        response = client.get(agencies_url)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert response.json()["detail"].startswith("Request was throttled.")


def test_the_limit_covers_every_endpoint_together(client, agencies_url):
    with limited("3/minute"):
        assert client.get(f"{API}/regions/").status_code == 200
        assert client.get(f"{API}/holidays/").status_code == 200
        assert client.get(f"{API}/schema/").status_code == 200
        assert client.get(agencies_url).status_code == 429


def test_the_count_lives_in_the_shared_cache(client, agencies_url):
    """Redis when REDIS_URL is set (as in CI), so every gunicorn worker sees the same count."""
    assert AnonThrottle.cache is cache  # django's default cache alias
    expected_backend = "RedisCache" if settings.REDIS_URL else "LocMemCache"
    assert type(caches["default"]).__name__ == expected_backend
    with limited("5/minute"):
        statuses(client, agencies_url, 2)
    assert cache.get(window_key()) == 2


def test_forged_x_forwarded_for_does_not_escape_the_limit_without_proxies(client, agencies_url):
    with limited("2/minute", proxies=0):
        codes = [
            client.get(agencies_url, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(4)
        ]
    assert codes == [200, 200, 429, 429]


def test_behind_one_proxy_the_address_it_appended_is_the_client(client, agencies_url):
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    with limited("2/minute", proxies=1):
        # The client forges the first hop; our proxy appends the real address last.
        forged = [
            client.get(agencies_url, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.7", **proxy).status_code
            for n in range(3)
        ]
        other_client = client.get(agencies_url, HTTP_X_FORWARDED_FOR="203.0.113.8", **proxy).status_code
    assert forged == [200, 200, 429]
    assert other_client == 200


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (CI sets REDIS_URL)")
def test_another_worker_sees_the_same_count(client, agencies_url):
    """A separate connection, as a second gunicorn worker would open, reads the count this one wrote."""
    from django.core.cache.backends.redis import RedisCache

    other_worker = RedisCache(settings.REDIS_URL, {"KEY_PREFIX": settings.CACHES["default"]["KEY_PREFIX"]})
    with limited("5/minute"):
        statuses(client, agencies_url, 3)
    assert other_worker.get(window_key()) == 3


def test_the_count_is_one_atomic_increment_per_request(client, agencies_url, monkeypatch):
    """Not DRF's read-extend-write of a timestamp list, where two workers lose each other's requests."""
    calls = []
    real_set, real_incr = cache.set, cache.incr

    def recording(name, real):
        def call(key, *args, **kwargs):
            if key.startswith("throttle"):
                calls.append(name)
            return real(key, *args, **kwargs)
        return call

    monkeypatch.setattr(cache, "set", recording("set", real_set))
    monkeypatch.setattr(cache, "incr", recording("incr", real_incr))
    if hasattr(cache, "incr_expiring"):
        monkeypatch.setattr(cache, "incr_expiring", recording("incr", cache.incr_expiring))
    with limited("5/minute"):
        statuses(client, agencies_url, 3)
    assert "set" not in calls and calls.count("incr") == 3
    assert cache.get(window_key()) == 3


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis (CI sets REDIS_URL)")
def test_on_redis_a_request_is_counted_in_one_round_trip_and_the_window_expires(client, agencies_url, monkeypatch):
    """INCR and EXPIRE pipelined: one exchange with Redis per request, and the window's key goes
    a second after the window (it is not left behind for ever)."""
    import redis

    round_trips = []
    real_execute = redis.client.Pipeline.execute
    real_command = redis.Redis.execute_command

    def execute(pipe, *args, **kwargs):
        round_trips.append([command[0][0] for command in pipe.command_stack])
        return real_execute(pipe, *args, **kwargs)

    def command(self, *args, **kwargs):
        if any(str(arg).find("throttle") >= 0 for arg in args[1:2]):
            round_trips.append([args[0]])
        return real_command(self, *args, **kwargs)

    monkeypatch.setattr(redis.client.Pipeline, "execute", execute)
    monkeypatch.setattr(redis.Redis, "execute_command", command)
    with limited("5/minute"):
        statuses(client, agencies_url, 2)
    throttle_trips = [trip for trip in round_trips if {"INCRBY", "EXISTS", "SET"} & set(trip)]
    assert throttle_trips == [["INCRBY", "EXPIRE"], ["INCRBY", "EXPIRE"]]
    assert cache.get(window_key()) == 2
    raw_key = cache.make_key(window_key())
    ttl = cache._cache.get_client(raw_key).ttl(raw_key)
    assert 0 < ttl <= 61
