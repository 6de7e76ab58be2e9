"""The citizen's experience in Debian's Chromium: a phone's screen, forms announced right, print, API docs."""
import json

import pytest

from tests.conftest import SCREENSHOTS
from tests.site.conftest import GANSU, GUIYANG, HUAIHUA
from tests.site.test_browser import AXE_SOURCE, PAGE_TYPES

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LANGUAGES = ["en", "zh-hans"]
EXTRA_PAGES = {
    "profile-gansu": f"/agencies/{GANSU}/",
    "profile-visit": f"/agencies/{HUAIHUA}/?on=2026-10-04&at=10:00",
    "profile-visit-error": f"/agencies/{HUAIHUA}/?on=someday",
    "correction": f"/agencies/{HUAIHUA}/correction/",
}


def phone_page(browser, live_server, language: str, width: int = 360, height: int = 800, **options):
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": height}, **options)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_page_is_wider_than_a_320px_phone(seed, browser, live_server, language):
    page = phone_page(browser, live_server, language, width=320)
    too_wide = {}
    for name, url in {**PAGE_TYPES, **EXTRA_PAGES}.items():
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            too_wide[name] = width
    page.context.close()
    assert too_wide == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_time_ranges_never_wrap_on_a_phone(seed, browser, live_server, language):
    page = phone_page(browser, live_server, language, width=320)
    page.goto(f"/agencies/{HUAIHUA}/?on=2026-10-10&at=09:00")
    lines = page.eval_on_selector_all(".time-range", "els => els.map(el => el.getClientRects().length)")
    page.context.close()
    assert len(lines) > 20 and set(lines) == {1}


@pytest.mark.parametrize("language", LANGUAGES)
def test_profile_first_screen_answers_with_todays_hours_and_a_large_call_button(seed, browser, live_server,
                                                                                  language):
    page = phone_page(browser, live_server, language)
    page.goto(f"/agencies/{HUAIHUA}/")
    for selector in ["h1", ".answer .status", ".answer__today", ".call-button"]:
        box = page.locator(selector).bounding_box()
        assert box["y"] + box["height"] <= 800, f"{selector} is below the first screen ({box})"
    call = page.locator(".call-button").bounding_box()
    assert call["height"] >= 44 and call["width"] >= 44
    assert page.locator(".call-button").get_attribute("href").startswith("tel:+86")
    # The answer outweighs the caution under it.
    sizes = page.evaluate("""() => [".answer .status", ".caution"].map(
        s => parseFloat(getComputedStyle(document.querySelector(s)).fontSize))""")
    assert sizes[0] > sizes[1] * 1.3
    assert page.locator(".hours--current tr.is-today").count() == 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"profile-first-screen-{language}-phone.png"))  # what a thumb sees
    page.context.close()


def test_home_filters_fold_on_a_phone_and_open_on_a_desktop(seed, browser, live_server):
    page = phone_page(browser, live_server, "en")
    page.goto("/")
    assert page.locator("details.filters-panel").get_attribute("open") is None
    first = page.locator(".card").first.bounding_box()
    assert first["y"] < 800  # the first result is on the first screen
    page.context.close()
    page = phone_page(browser, live_server, "en", width=1280, height=900)
    page.goto("/")
    assert page.locator("details.filters-panel").get_attribute("open") is not None
    page.context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_describedby_and_label_target_exists(seed, browser, live_server, language):
    page = phone_page(browser, live_server, language, width=1280)
    missing = {}
    for name, url in {**PAGE_TYPES, **EXTRA_PAGES}.items():
        page.goto(url)
        ids = page.evaluate("""() => [...document.querySelectorAll("[aria-describedby], [aria-labelledby], label[for]")]
            .flatMap(el => (el.getAttribute("aria-describedby") || el.getAttribute("aria-labelledby")
                            || el.getAttribute("for")).split(/\\s+/))
            .filter(id => id && !document.getElementById(id))""")
        if ids:
            missing[name] = ids
    page.goto(f"/agencies/{HUAIHUA}/")
    page.click(".correction-form button[type=submit]")  # empty: the error page
    page.wait_for_selector(".error-summary")
    ids = page.evaluate("""() => [...document.querySelectorAll("[aria-describedby]")]
        .flatMap(el => el.getAttribute("aria-describedby").split(/\\s+/)).filter(id => !document.getElementById(id))""")
    if ids:
        missing["correction-errors"] = ids
    page.context.close()
    assert missing == {}


def test_correction_errors_follow_the_gov_uk_pattern(seed, browser, live_server):
    page = phone_page(browser, live_server, "en")
    page.goto(f"/agencies/{HUAIHUA}/")
    page.fill("#id_message", "short")
    page.click(".correction-form button[type=submit]")
    page.wait_for_selector(".error-summary")
    assert page.title().startswith("Error: ")
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert page.locator(".error-summary h2").inner_text() == "There is a problem"
    link = page.locator(".error-summary a").first
    assert link.get_attribute("href") == "#id_message"
    link.click()
    assert page.evaluate("document.activeElement.id") == "id_message"
    described = page.locator("#id_message").get_attribute("aria-describedby").split()
    assert described == ["id_message_helptext", "id_message_error"]
    page.context.close()


def test_character_counter_speaks_only_near_the_limit(seed, browser, live_server):
    page = phone_page(browser, live_server, "en")
    page.goto(f"/agencies/{HUAIHUA}/")
    live = page.locator(".correction-form [aria-live=polite]")
    page.locator("#id_message").press_sequentially("The number has changed.")
    page.wait_for_timeout(1000)
    assert live.inner_text() == ""
    assert page.locator(".char-count").inner_text() == "23 / 2000"
    page.fill("#id_message", "x" * 1950)
    page.wait_for_timeout(1000)
    assert live.inner_text() == "You have 50 characters remaining"
    page.context.close()


def test_is_it_open_on_works_without_javascript(seed, browser, live_server):
    page = phone_page(browser, live_server, "en", java_script_enabled=False)
    page.goto(f"/agencies/{HUAIHUA}/")
    page.fill("#visit_on", "2026-10-04")
    page.fill("#visit_at", "10:00")
    page.click(".visit-form button[type=submit]")
    page.wait_for_selector(".visit-answer")
    text = page.locator(".visit-answer").inner_text()
    assert "Sunday 4 October 2026" in text and "public holiday (National Day)" in text
    page.context.close()


def test_printed_profile_keeps_site_name_season_and_says_as_of_when(seed, browser, live_server, screenshot):
    page = phone_page(browser, live_server, "en", width=794, height=1123)
    page.goto(f"/agencies/{HUAIHUA}/")
    page.emulate_media(media="print")
    colours = page.evaluate("""() => [".site-name", ".tag--current"].map(
        s => getComputedStyle(document.querySelector(s)).color)""")
    assert colours == ["rgb(0, 0, 0)", "rgb(0, 0, 0)"]
    assert page.locator(".answer .status .print-only").is_visible()
    assert "as of " in page.locator(".answer .status").inner_text()
    assert not page.locator(".visit-form").is_visible()
    pdf = screenshot(page, "profile-print-a4").with_suffix(".pdf")
    page.pdf(path=str(pdf), format="A4")  # for a person to look at (pdftoppm)
    page.context.close()


def test_api_docs_are_self_hosted_and_axe_finds_only_the_documented_third_party_rules(seed, browser, live_server):
    page = phone_page(browser, live_server, "en", width=1280, height=900)
    finished_elsewhere = []
    page.on("requestfinished", lambda request: None if request.url.startswith((live_server.url, "blob:", "data:"))
            else finished_elsewhere.append(request.url))  # blob: is ReDoc's own search worker
    page.goto("/api/v1/docs/")
    page.wait_for_selector(".opblock-summary")
    page.click(".opblock-summary >> nth=2")  # an open operation: parameters, responses
    page.wait_for_selector(".parameters")
    assert page.locator("html").get_attribute("lang") == "en"
    page.evaluate(AXE_SOURCE)
    results = page.evaluate("async () => await axe.run(document)")
    # What remains of the third-party UI (README, "Accessibility of the docs").
    assert {v["id"] for v in results["violations"]} <= {"heading-order", "region"}, json.dumps(results["violations"])
    page.goto("/api/v1/redoc/")
    page.wait_for_selector("h1")
    page.wait_for_timeout(500)
    page.context.close()
    assert finished_elsewhere == []


def test_a_bureau_publishing_nothing_points_to_the_correction_form(seed, browser, live_server):
    page = phone_page(browser, live_server, "en")
    page.goto(f"/agencies/{GUIYANG}/")
    page.click("text=Tell the editors with the correction form")
    assert page.evaluate("location.hash") == "#correction"
    page.context.close()


@pytest.mark.parametrize("language", LANGUAGES)
def test_visit_answers_errors_and_the_correction_page_have_no_axe_violations(seed, browser, live_server, language):
    page = phone_page(browser, live_server, language, width=1280, height=900)
    failures = {}
    for name, url in EXTRA_PAGES.items():
        page.goto(url)
        page.evaluate(AXE_SOURCE)
        violations = page.evaluate("async () => (await axe.run(document)).violations")
        if violations:
            failures[name] = [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:3]} for v in violations]
    page.context.close()
    assert failures == {}, json.dumps(failures, indent=1)
