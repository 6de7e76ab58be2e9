"""Compress HTML, JSON and CSV responses — decided per response type because of BREACH.

BREACH recovers a secret from the *compressed length* of responses that carry the secret next to text
the attacker chooses (reflected in the same body), given many requests from the victim's browser.
Whitenoise compresses static files only; this middleware does the dynamic responses:

* API (JSON, CSV, the OpenAPI schema): compressed. It holds no secret at all — public data, no
  cookies read, no authentication, no CSRF token — so there is nothing for a length oracle to find,
  and an answer stored for every request is compressed once, when stored, without padding.
* Public site pages (HTML): compressed. Their only secret is the CSRF token of the correction form,
  which Django masks with a fresh random value on every response (so no byte string repeats across
  requests for an attacker to converge on), and Django's GZipMiddleware adds "Heal the Breach"
  padding (a random-length gzip file name) that blurs the length signal further. The pages show no
  session data: the same for every visitor.
* Staff back office (/admin/): never compressed. It shows private data (reporters' email addresses,
  staff notes) in the same body as reflected input (the admin search box, filters), for a small
  number of users on whom bandwidth is not worth the risk.
* Anything else (images, static files served by whitenoise, streamed downloads): left alone.

Level 1, as nginx's `gzip_comp_level` defaults to, not Django's fixed 6: on the pages measured at 100,000
agencies (home 117 KB, search results 129 KB, a profile 16 KB) it costs 0.2 ms instead of 0.8-1.1 for
4-10 % more bytes, and the compression of a cached home page was most of the time it took to serve.
"""
from __future__ import annotations

import gzip
import secrets

from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import GZipMiddleware, re_accepts_gzip
from django.urls import reverse
from django.utils.cache import patch_vary_headers

COMPRESSED_TYPES = ("text/html", "application/json", "text/csv", "application/vnd.oai.openapi", "text/plain",
                    "application/xml", "text/javascript")
LEVEL = 1


def compress(content: bytes, max_random_bytes: int) -> bytes:
    """gzip at LEVEL, with Django's "Heal the Breach" padding: a file name of random length in the header."""
    data = gzip.compress(content, compresslevel=LEVEL, mtime=0)
    header = bytearray(data[:10])
    header[3] = gzip.FNAME
    return bytes(header) + b"a" * secrets.randbelow(max_random_bytes) + b"\x00" + data[10:]


class CompressionMiddleware(GZipMiddleware):
    """A response may carry `gzipped`: its body compressed already, once, when it was stored for every
    request (an API answer, which has no secret to pad: `api.caching`). It is sent as it is."""

    admin_prefix: str | None = None

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if self.admin_prefix is None:
            self.admin_prefix = reverse("admin:index")
        if request.path.startswith(self.admin_prefix):
            return response
        content_type = response.get("Content-Type", "").split(";")[0].strip()
        if content_type not in COMPRESSED_TYPES:
            return response
        if response.streaming:  # the CSV of every agency: Django's own, chunk by chunk
            return super().process_response(request, response)
        # Django's GZipMiddleware for a whole body, but at LEVEL (Django's is fixed at 6).
        if len(response.content) < 200 or response.has_header("Content-Encoding"):
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        if not re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            return response
        compressed = getattr(response, "gzipped", None) or compress(response.content, self.max_random_bytes)
        if len(compressed) >= len(response.content):
            return response
        response.content = compressed
        response.headers["Content-Length"] = str(len(compressed))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):  # a strong ETag names the bytes: weak for the encoded ones
            response.headers["ETag"] = "W/" + etag
        response.headers["Content-Encoding"] = "gzip"
        return response
