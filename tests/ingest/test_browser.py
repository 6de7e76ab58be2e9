"""Playwright in Debian's Chromium: a saved page becomes a draft bureau, then a changed copy of the
page is reviewed side by side (highlighted facts, word-level diff) and applied. Saves the README's
screenshot of the review page (test-output/screenshots/ingest-review.png)."""
import re

import pytest
from django.urls import reverse

from agencies.models import Agency, Region
from tests.ingest.conftest import PAGES

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def editor_page(seed, editor, browser_page):
    editor.set_password("correct horse battery staple")
    editor.save()
    page = browser_page
    page.goto(reverse("admin:login"))
    page.fill("#id_username", editor.username)
    page.fill("#id_password", "correct horse battery staple")
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(re.escape(reverse("admin:index")) + "$"))
    return page


def ingest_file(page, path) -> None:
    page.goto(reverse("admin:ingest_ingestedpage_add"))
    page.set_input_files("#id_page_file", str(path))
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/ingest/ingestedpage/\d+/change/$"))


def test_from_a_saved_page_to_a_draft_and_from_a_changed_page_to_an_updated_record(editor_page, screenshot, tmp_path):
    Region.objects.create(code="990000", name="Example Province", level="province")
    page = editor_page
    ingest_file(page, PAGES / "en_paren_table.html")
    assert page.locator("#ingest-source mark.fact-duties").count() == 3
    page.select_option("#id_region", "990000")
    for select in page.locator("select[name^=category-]").all():
        select.select_option("other-tasks")
    page.click("input[name=apply]")
    page.wait_for_url(re.compile(r"/change/$"))
    assert page.locator(".page-status").inner_text() == "Reviewed and applied"
    agency = Agency.objects.get(name="Example City Science and Technology Bureau")
    assert agency.status == Agency.Status.DRAFT and agency.duties.count() == 3

    changed = (PAGES / "en_paren_table.html").read_text(encoding="utf-8")
    changed = changed.replace("(2) To manage city science funds &amp; programmes",
                              "(2) To manage and audit city science funds &amp; programmes")
    changed = changed.replace("<p>(3) To promote technology transfer.</p>",
                              "<p>(3) To promote technology transfer.</p><p>(4) To run the science museum.</p>")
    changed = changed.replace("Updated: 2025-03-14", "Updated: 2026-11-20").replace("0571-87654322", "0571-87654329")
    copy = tmp_path / "example-city-2026.html"
    copy.write_text(changed, encoding="utf-8")
    ingest_file(page, copy)
    rows = page.locator("table.ingest-changes tbody tr")
    assert rows.count() == 5  # duty (2) reworded, duty (4) added, the fax changed (old one out), a newer source
    assert page.locator(".diff ins").first.inner_text().strip() == "and audit"
    assert page.locator("#ingest-source mark.proposed").count() >= 3
    screenshot(page, "ingest-review")
    if page.locator("select[name^=category-]").count():  # while a duty needs exactly one category
        page.select_option("select[name^=category-]", "other-tasks")
    page.click("input[name=apply]")
    page.wait_for_url(re.compile(r"/change/$"))
    agency.refresh_from_db()
    assert agency.duties.get(label="(2)").text.startswith("To manage and audit")
    assert agency.duties.get(label="(4)").position == 4
    assert agency.contacts.get(kind="fax").value == "0571-87654329"
    assert str(agency.sources.order_by("-page_date").first().page_date) == "2026-11-20"
