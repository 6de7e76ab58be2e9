"""Fetching a bureau's page by URL: off unless INGEST_URL_FETCH is on, and guarded against SSRF.

Every hop (the first request and each redirect) is resolved once, refused if any address is
private, loopback, link-local, reserved or multicast, and then connected to *that* address (so a
second DNS answer cannot swap in an internal one). Size and time are capped."""
from __future__ import annotations

import http.client
import ipaddress
import re
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings

from ingest.reading import MAX_PAGE_BYTES


class FetchError(ValueError):
    """A URL we will not or could not fetch, with the reason."""


@dataclass(frozen=True)
class Fetched:
    url: str
    data: bytes
    content_type: str

    @property
    def charset(self) -> str | None:
        """The charset the server declares (`text/html; charset=gbk`), if any."""
        match = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", self.content_type, re.I)
        return match.group(1).lower() if match else None


def fetching_enabled() -> bool:
    return bool(getattr(settings, "INGEST_URL_FETCH", False))


def public_address(host: str, port: int) -> str:
    """The first address of `host`, refusing the whole host if any address is not public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchError(f"Cannot resolve '{host}': {error}.") from None
    addresses = []
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast or address.is_reserved:
            raise FetchError(f"'{host}' resolves to {address}, a private, loopback or link-local address: refused.")
        addresses.append(str(address))
    if not addresses:
        raise FetchError(f"Cannot resolve '{host}'.")
    return addresses[0]


def checked_target(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, address) of a URL we may fetch; raises FetchError otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise FetchError(f"Only http and https addresses can be fetched, not '{parts.scheme or url}'.")
    if not parts.hostname:
        raise FetchError(f"'{url}' has no host.")
    if parts.username or parts.password:
        raise FetchError("Addresses with a user name or password are refused.")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme, parts.hostname, port, public_address(parts.hostname, port)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Connects to the checked address while verifying the certificate for the host name."""

    def __init__(self, host, address, **kwargs):
        super().__init__(host, **kwargs)
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, address, **kwargs):
        super().__init__(host, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def fetch_page(url: str, *, timeout: float = 10.0, max_bytes: int = MAX_PAGE_BYTES, max_redirects: int = 5) -> Fetched:
    if not fetching_enabled():
        raise FetchError("Fetching pages by URL is turned off (INGEST_URL_FETCH); save the page and upload it.")
    deadline = time.monotonic() + timeout
    for _ in range(max_redirects + 1):
        scheme, host, port, address = checked_target(url)
        remaining = max(0.1, deadline - time.monotonic())
        if scheme == "https":
            connection = _PinnedHTTPSConnection(host, address, port=port, timeout=remaining,
                                                context=ssl.create_default_context())
        else:
            connection = _PinnedHTTPConnection(host, address, port=port, timeout=remaining)
        parts = urlsplit(url)
        try:
            connection.request("GET", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
                               headers={"User-Agent": "bureau-portal-ingest", "Accept": "text/html,text/plain"})
            response = connection.getresponse()
            if response.status in {301, 302, 303, 307, 308}:
                location = response.getheader("Location")
                if not location:
                    raise FetchError(f"{url} redirects nowhere.")
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise FetchError(f"{url} answered {response.status} {response.reason}.")
            length = response.getheader("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise FetchError(f"The page is {int(length):,} bytes; the limit is {max_bytes:,}.")
            chunks, size = [], 0
            while chunk := response.read(65536):
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(f"The page is larger than {max_bytes:,} bytes.")
                if time.monotonic() > deadline:
                    raise FetchError(f"Fetching took longer than {timeout:g} s.")
                chunks.append(chunk)
            return Fetched(url, b"".join(chunks), response.getheader("Content-Type", ""))
        except (OSError, http.client.HTTPException) as error:
            raise FetchError(f"Could not fetch {url}: {error}.") from None
        finally:
            connection.close()
    raise FetchError(f"More than {max_redirects} redirects.")
