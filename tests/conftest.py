"""Shared fixtures: the real seed data, personas, and a clean cache for every test."""
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.utils import translation


@pytest.fixture(autouse=True)
def _clear_cache():
    from freshness.memo import forget_local

    cache.clear()
    forget_local()
    yield
    cache.clear()
    forget_local()


@pytest.fixture(autouse=True)
def english_outside_requests():
    """Each request activates its URL's language and leaves it active in the test's thread; a test's
    own reverse() calls must not inherit the previous test's /zh-hans/ prefix."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def seed(db):
    """The five real bureaus from fixtures/ (loaded through the same command as `make run`)."""
    call_command("load_seed", verbosity=0)


@pytest.fixture
def wenzhou_under_zhejiang(seed):
    """A supervising link for tests of parent/child behaviour. The seed pages record none (Wenzhou's
    page never names a supervisor), so the seed has none; tests that need one make it here."""
    from agencies.models import Agency

    Agency.objects.filter(slug="wenzhou-science-and-technology-bureau").update(
        parent=Agency.objects.get(slug="zhejiang-department-of-science-and-technology"),
        parent_source="Test page: “under the Zhejiang Provincial Department of Science and Technology”",
    )


@pytest.fixture
def anon_client(client):
    return client


# --- Browser tests: Debian's Chromium driven by Playwright (never a downloaded browser) ---
CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parent.parent / "test-output" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        yield browser
        browser.close()


@pytest.fixture
def browser_page(browser, live_server):
    """A fresh page (desktop width) whose relative URLs go to the live server."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def screenshot():
    """screenshot(page, "profile-phone") saves test-output/screenshots/profile-phone.png for review."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
