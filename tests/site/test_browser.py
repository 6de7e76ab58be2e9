"""The site in Debian's Chromium: axe-core, keyboard use, downloads, language switch, screenshots."""
import json
from pathlib import Path

import axe_playwright_python
import pytest

from portal.models import CorrectionReport
from tests.site.conftest import GUIYANG, HUAIHUA, ZHEJIANG

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE_SOURCE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
PAGE_TYPES = {
    "home": "/",
    "results": "/?q=foreign+experts",
    "no-results": "/?q=nothing+like+this",
    "profile-hours": f"/agencies/{HUAIHUA}/",
    "profile-no-hours": f"/agencies/{ZHEJIANG}/",
    "compare": "/compare/",
    "region": "/regions/330000/",
    "regions": "/regions/",
    "not-found": "/agencies/no-such-bureau/",
}
PHONE = {"width": 360, "height": 800}


def axe_violations(page) -> list[dict]:
    page.evaluate(AXE_SOURCE)
    results = page.evaluate("async () => await axe.run(document)")
    assert len(results["passes"]) > 20, "axe-core did not run its rules"
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [node["target"] for node in v["nodes"]][:5]}
        for v in results["violations"]
    ]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_page_type_has_no_axe_violations_and_is_screenshotted(seed, browser, live_server, screenshot, language):
    failures = {}
    for width_name, viewport in [("desktop", {"width": 1280, "height": 900}), ("phone", PHONE)]:
        context = browser.new_context(base_url=live_server.url, viewport=viewport)
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        page = context.new_page()
        for name, url in PAGE_TYPES.items():
            page.goto(url)
            assert page.locator("html").get_attribute("lang") == ("zh-Hans" if language != "en" else "en")
            if width_name == "desktop":  # axe once per page and language; layout is the same markup
                violations = axe_violations(page)
                if violations:
                    failures[f"{name}:{language}"] = violations
            screenshot(page, f"{name}-{language}-{width_name}")
        context.close()
    assert failures == {}, json.dumps(failures, indent=1)


def test_search_filter_and_open_a_profile_by_keyboard_only(seed, browser_page):
    page = browser_page
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    for _ in range(10):  # Tab forward until the search box has focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_q":
            break
    assert page.evaluate("document.activeElement.id") == "id_q"
    page.keyboard.type("seismic")
    page.keyboard.press("Enter")
    page.wait_for_url("**/?q=seismic**")
    link = page.locator(".card__title a")
    assert link.count() == 1
    assert "<mark>seismic</mark>" in page.locator(".card__matches").inner_html()
    link.focus()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # focus is visible
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/agencies/{GUIYANG}/")
    assert page.locator(".status").inner_text().endswith("Office hours not published")


def test_filters_narrow_results_in_the_browser(seed, browser_page):
    page = browser_page
    page.goto("/")
    page.select_option("#id_region", "330000")
    page.select_option("#id_level", "municipal_bureau")
    page.click("form.search button[type=submit]")
    page.wait_for_url("**region=330000**")
    assert page.locator(".card__title a").all_inner_texts() == ["Wenzhou Municipal Science and Technology Bureau"]
    assert page.locator("#id_region").input_value() == "330000"  # the form remembers the choice


def test_switch_language_and_it_is_remembered(seed, browser_page):
    page = browser_page
    page.goto(f"/agencies/{HUAIHUA}/")
    page.click("button[name=language][value=zh-hans]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "怀化市科学技术局"
    assert page.url.endswith(f"/zh-hans/agencies/{HUAIHUA}/")  # the same page, in Chinese
    page.click("a[href='/zh-hans/regions/']")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.locator("h1").inner_text() == "按地区浏览机关"
    page.goto(f"/agencies/{HUAIHUA}/")  # an English address, later: the choice is remembered
    assert page.url.endswith(f"/zh-hans/agencies/{HUAIHUA}/")
    page.click("button[name=language][value=en]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Huaihua Municipal Science and Technology Bureau"
    assert page.url.endswith(f"/agencies/{HUAIHUA}/") and "/zh-hans/" not in page.url


def test_download_the_vcard(seed, browser_page, tmp_path):
    page = browser_page
    page.goto(f"/agencies/{ZHEJIANG}/")
    with page.expect_download() as download_info:
        page.click("text=Add to contacts (vCard)")
    download = download_info.value
    assert download.suggested_filename == f"{ZHEJIANG}.vcf"
    path = tmp_path / "card.vcf"
    download.save_as(path)
    card = path.read_bytes().decode("utf-8")
    assert card.startswith("BEGIN:VCARD\r\nVERSION:3.0\r\n") and "TEL;TYPE=WORK,VOICE:+8657187056409" in card


def test_pages_work_without_javascript(seed, browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/")
    page.fill("#id_q", "怀化")
    page.click("form.search button[type=submit]")
    assert page.locator(".card__title a").all_inner_texts() == ["Huaihua Municipal Science and Technology Bureau"]
    page.click(".card__title a")
    page.fill("#id_message", "The telephone number has changed.")
    page.click("text=Send report")
    assert "Thank you" in page.locator(".messages").inner_text()
    context.close()


def test_profile_prints_without_navigation_or_forms(seed, browser_page, screenshot):
    page = browser_page
    page.goto(f"/agencies/{HUAIHUA}/")
    page.emulate_media(media="print")
    assert not page.locator(".correction").is_visible()
    assert not page.locator(".lang-switch").is_visible()
    assert page.locator("table.hours").first.is_visible()
    screenshot(page, "profile-print")


def tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has focus (fails if it never does)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never received focus by Tab")


def test_switch_language_and_report_a_correction_by_keyboard_only(seed, browser_page):
    page = browser_page
    page.goto(f"/agencies/{HUAIHUA}/")
    tab_to(page, "button[value=zh-hans]")
    page.keyboard.press("Enter")
    page.wait_for_selector("html[lang=zh-Hans]")
    tab_to(page, "#id_message", limit=200)
    page.keyboard.type("电话号码已更改。The number changed.")
    tab_to(page, ".correction-form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_selector(".messages")
    assert "谢谢" in page.locator(".messages").inner_text()
    assert page.url.endswith(f"/agencies/{HUAIHUA}/")

    report = CorrectionReport.objects.get()
    assert (report.message, report.language, report.agency.slug) == (
        "电话号码已更改。The number changed.", "zh-hans", HUAIHUA)
