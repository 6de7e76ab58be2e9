"""URL fetching is off by default and refuses every address that is not public (no network needed)."""
import pytest

from ingest.fetch import Fetched, FetchError, checked_target, fetch_page


def test_fetching_is_off_unless_enabled(settings):
    settings.INGEST_URL_FETCH = False
    with pytest.raises(FetchError, match="turned off"):
        fetch_page("http://example.org/")


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/", "http://localhost:8000/admin/", "http://[::1]/", "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.5/", "http://192.168.1.1/", "http://0.0.0.0/", "http://[::ffff:127.0.0.1]/",
    "http://2130706433/",  # 127.0.0.1 written as one number
])
def test_private_loopback_and_link_local_addresses_are_refused(url):
    with pytest.raises(FetchError, match="refused"):
        checked_target(url)


@pytest.mark.parametrize("url, message", [
    ("file:///etc/passwd", "Only http and https"), ("ftp://example.org/", "Only http and https"),
    ("gopher://x/", "Only http and https"), ("http://user:pw@example.org/", "user name"), ("http:///path", "no host"),
])
def test_only_plain_http_and_https_urls(url, message):
    with pytest.raises(FetchError, match=message):
        checked_target(url)


def test_a_fetch_to_loopback_is_refused_before_any_connection(settings, monkeypatch):
    settings.INGEST_URL_FETCH = True

    def no_connection(*args, **kwargs):
        raise AssertionError("connected")

    monkeypatch.setattr("socket.create_connection", no_connection)
    with pytest.raises(FetchError, match="refused"):
        fetch_page("http://localhost:8000/")


def test_a_redirect_to_loopback_is_refused(settings, monkeypatch):
    """The first hop is public (the resolver is stubbed); its redirect points inside: refused."""
    settings.INGEST_URL_FETCH = True
    import http.client
    import socket

    real = socket.getaddrinfo

    def resolve(host, port, *args, **kwargs):
        if host == "bureau.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port))]
        return real(host, port, *args, **kwargs)

    class Redirect:
        status, reason = 302, "Found"

        def getheader(self, name, default=None):
            return "http://127.0.0.1:8000/admin/" if name == "Location" else default

    monkeypatch.setattr("socket.getaddrinfo", resolve)
    monkeypatch.setattr(http.client.HTTPConnection, "request", lambda self, *a, **k: None)
    monkeypatch.setattr(http.client.HTTPConnection, "getresponse", lambda self: Redirect())
    monkeypatch.setattr("socket.create_connection", lambda *a, **k: None)
    with pytest.raises(FetchError, match="127.0.0.1.*refused"):
        fetch_page("http://bureau.example/about")


@pytest.mark.parametrize("content_type, charset", [
    ("text/html; charset=GBK", "gbk"), ('text/html; charset="utf-8"', "utf-8"), ("text/html", None), ("", None),
])
def test_the_servers_declared_charset(content_type, charset):
    assert Fetched("http://x.example/", b"", content_type).charset == charset
