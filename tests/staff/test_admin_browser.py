"""A Playwright walk-through of the back office in Debian's Chromium: edit a bureau with its inlines,
then import a GB18030 spreadsheet with the encoding choice, the preview and the confirmation."""
import re

import pytest

from agencies.models import Agency, Contact, ImportBatch
from agencies.permissions import EDITORS
from tests.staff.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
GANSU = "gansu-department-of-science-and-technology"


@pytest.fixture
def editor_page(seed, make_staff, browser_page):
    make_staff("bob", EDITORS)
    page = browser_page
    page.goto("/admin/login/")
    page.fill("#id_username", "bob")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
    return page


def test_editing_an_agency_with_its_inlines(editor_page, screenshot):
    page = editor_page
    agency = Agency.objects.get(slug=GANSU)
    page.goto(f"/admin/agencies/agency/{agency.pk}/change/")
    assert page.locator("#contacts-group").is_visible()
    assert page.locator("#duties-group").is_visible()
    page.fill("#id_hours_notes", "Lunch break 12:00–14:30, as published.")
    contacts = page.locator("#contacts-group")
    contacts.get_by_text("Add another Contact").click()
    row = contacts.locator("tr.dynamic-contacts").last
    row.locator("select[name$='-kind']").select_option("fax")
    row.locator("input[name$='-label']").fill("Fax")
    row.locator("input[name$='-value']").fill("0931-8834600")
    row.locator("input[name$='-position']").fill("9")
    screenshot(page, "admin-agency-edit")
    page.click("input[name=_save]")
    assert "was changed successfully" in page.locator(".messagelist").inner_text()
    agency.refresh_from_db()
    assert agency.hours_notes == "Lunch break 12:00–14:30, as published."
    assert Contact.objects.get(agency=agency, kind="fax").e164 == "+869318834600"


def test_importing_a_gb18030_csv_with_preview(editor_page, screenshot, tmp_path):
    page = editor_page
    csv = tmp_path / "contacts-gbk.csv"
    csv.write_bytes(f"agency,kind,position,label,value\n{GANSU},enquiries,8,咨询电话,0931-8834608\n".encode("gb18030"))

    page.goto("/admin/agencies/contact/import/")
    page.set_input_files("#id_import_file", str(csv))
    page.select_option("#id_format", label="csv")
    page.click("input[type=submit]")
    page.get_by_text("This file is not UTF-8").wait_for()
    assert "咨询电话" in page.locator(".encoding-preview").inner_text()

    page.set_input_files("#id_import_file", str(csv))
    page.select_option("#id_format", label="csv")
    page.select_option("#id_encoding", "gb18030")
    page.click("input[type=submit]")
    summary = page.locator("#import-summary")
    summary.wait_for()
    assert "1 new" in summary.inner_text() and "0 errors" in summary.inner_text()
    assert "咨询电话" in page.locator("#import-preview").inner_text()
    screenshot(page, "admin-import-preview")
    assert not Contact.objects.filter(position=8).exists()

    page.get_by_role("button", name="Confirm import").click()
    page.locator(".messagelist").wait_for()
    assert "Review or undo this import" in page.locator(".messagelist").inner_text()
    assert Contact.objects.get(position=8, agency__slug=GANSU).label == "咨询电话"
    assert ImportBatch.objects.get().new == 1
