"""Compress HTML, JSON and CSV responses — decided per response type because of BREACH.

BREACH recovers a secret from the *compressed length* of responses that carry the secret next to text
the attacker chooses (reflected in the same body), given many requests from the victim's browser.
Whitenoise compresses static files only; this middleware does the dynamic responses:

* API (JSON, CSV, the OpenAPI schema): compressed. It holds no secret at all — public data, no
  cookies read, no authentication, no CSRF token — so there is nothing for a length oracle to find.
* Public site pages (HTML): compressed. Their only secret is the CSRF token of the correction form,
  which Django masks with a fresh random value on every response (so no byte string repeats across
  requests for an attacker to converge on), and Django's GZipMiddleware adds "Heal the Breach"
  padding (a random-length gzip file name) that blurs the length signal further. The pages show no
  session data: the same for every visitor.
* Staff back office (/admin/): never compressed. It shows private data (reporters' email addresses,
  staff notes) in the same body as reflected input (the admin search box, filters), for a small
  number of users on whom bandwidth is not worth the risk.
* Anything else (images, static files served by whitenoise, streamed downloads): left alone.
"""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import GZipMiddleware
from django.urls import reverse

COMPRESSED_TYPES = ("text/html", "application/json", "text/csv", "application/vnd.oai.openapi", "text/plain",
                    "application/xml", "text/javascript")


class CompressionMiddleware(GZipMiddleware):
    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if request.path.startswith(reverse("admin:index")):
            return response
        content_type = response.get("Content-Type", "").split(";")[0].strip()
        if content_type not in COMPRESSED_TYPES:
            return response
        return super().process_response(request, response)
