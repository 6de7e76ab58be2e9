"""A returning visitor who chose a language with the switcher lands on that language's pages."""
from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, translate_url
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language_from_path


class RememberedLanguageMiddleware:
    """An unprefixed (English) site page asked for with the language cookie saying Chinese redirects to
    the same page under /zh-hans/. Only site pages are concerned: the API, admin, sitemap and static
    files have one address for every language. The English pages themselves stay cacheable for all;
    only the redirect varies by cookie."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _ in settings.LANGUAGES} - {settings.LANGUAGE_CODE}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        remembered = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if (
            remembered in self.languages
            and request.method in ("GET", "HEAD")
            and not get_language_from_path(request.path_info)
            and self._is_site_page(request.path_info)
        ):
            target = translate_url(request.get_full_path(), remembered)
            if target != request.get_full_path():
                response = HttpResponseRedirect(target)
                patch_vary_headers(response, ["Cookie"])
                patch_cache_control(response, private=True)
                return response
        return self.get_response(request)

    @staticmethod
    def _is_site_page(path: str) -> bool:
        try:
            return resolve(path).namespace == "site"
        except Resolver404:
            return False
