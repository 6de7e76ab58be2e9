"""HTTP methods answered the same way on every URL, before any view (or the CSRF check) runs."""
from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse

#: never answered: TRACE reflects the request (cookies included) back to a script; CONNECT tunnels
REFUSED_METHODS = {"TRACE", "CONNECT", "TRACK"}
API_PREFIX = "/api/"
API_METHODS = ["GET", "HEAD", "OPTIONS"]


class HttpMethodMiddleware:
    """TRACE and CONNECT get 405 everywhere; the read-only API answers any write with its JSON 405
    (not the site's HTML CSRF page); a HEAD response carries its headers but no body bytes (gunicorn
    would otherwise send, and log, the body Django rendered)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        method = request.method.upper()
        if request.path.startswith(API_PREFIX) and method not in API_METHODS:
            response = JsonResponse({"detail": f'Method "{method}" not allowed.'}, status=405)
            response["Allow"] = ", ".join(API_METHODS)
            return response
        if method in REFUSED_METHODS:
            return HttpResponseNotAllowed(["GET", "HEAD", "OPTIONS", "POST"])
        response = self.get_response(request)
        if method == "HEAD":
            strip_body(response)
        return response


def strip_body(response: HttpResponse) -> None:
    if response.streaming:
        response.streaming_content = []
        return
    if not response.has_header("Content-Length"):
        response["Content-Length"] = str(len(response.content))
    response.content = b""
