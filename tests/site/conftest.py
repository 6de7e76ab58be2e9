import datetime as dt
import zoneinfo

import pytest
from django.test import Client
from django.utils import timezone

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
HUAIHUA = "huaihua-science-and-technology-bureau"
GANSU = "gansu-department-of-science-and-technology"
ZHEJIANG = "zhejiang-department-of-science-and-technology"
WENZHOU = "wenzhou-science-and-technology-bureau"
GUIYANG = "guiyang-bureau-of-science-and-technology"


@pytest.fixture
def freeze(monkeypatch):
    """freeze(2026, 10, 2, 10, 0): the site (and the open-now filter) believe it is then in Shanghai."""

    def set_time(*parts: int) -> dt.datetime:
        moment = dt.datetime(*parts, tzinfo=SHANGHAI)
        monkeypatch.setattr(timezone, "now", lambda: moment.astimezone(dt.UTC))
        return moment

    return set_time


class ChineseClient(Client):
    """Asks for the Chinese version of a site page: "/agencies/x/" means "/zh-hans/agencies/x/"."""

    ONE_ADDRESS = ("/zh-hans/", "/api/", "/admin/", "/i18n/", "/static/", "/sitemap.xml", "/robots.txt")

    def generic(self, method, path, *args, **kwargs):
        if path.startswith("/") and not path.startswith(self.ONE_ADDRESS):
            path = "/zh-hans" + path
        return super().generic(method, path, *args, **kwargs)


@pytest.fixture
def zh_client(db, settings):
    """A visitor who chose Simplified Chinese: the language cookie set by the switcher, and the
    Chinese URLs (see ChineseClient)."""
    client = ChineseClient()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client
