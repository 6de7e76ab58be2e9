"""From a page to a reviewed record: proposals, per-change decisions, one transaction, history, undo."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from agencies.models import Agency, Region
from duties.models import Duty, DutyCategory
from ingest.models import IngestedPage, ProposedChange
from ingest.services import (
    Decision,
    NewAgency,
    page_apply_undo,
    page_ingest,
    page_reject,
    page_review_apply,
)
from tests.ingest.conftest import PAGES, seed_text

ZJ = "zhejiang-department-of-science-and-technology"
TODAY = dt.date(2026, 11, 24)


def accept_all(page, **values):
    return {change.pk: Decision("accepted", values.get(change.key)) for change in page.changes.all()}


@pytest.mark.django_db
def test_every_seed_page_against_its_own_record_proposes_nothing(seed, seed_pages):
    for prefix in ("000", "001", "002", "003", "004"):
        page = page_ingest(data=seed_text(seed_pages, prefix).encode(), file_name=prefix)
        assert page.agency is not None, prefix
        assert list(page.changes.values_list("key", flat=True)) == [], prefix
        assert page.status == IngestedPage.Status.NO_CHANGES


def changed_zhejiang(seed_pages) -> str:
    text = seed_text(seed_pages, "000")
    text = text.replace("(2) Overall coordinating and promoting the reform", "(2) Coordinating and leading the reform")
    text = text.replace("Public Telephone: (0571)87054007", "Public Telephone: (0571)87054008")
    text = text.replace("Date:2020-09-01", "Date:2026-11-01")
    return text.replace("and the Provincial Government.\n", "and the Provincial Government.\n\n"
                        "(15) Running the science park.\n", 1)


@pytest.fixture
def changed_page(seed, seed_pages, editor):
    return page_ingest(data=changed_zhejiang(seed_pages), file_name="zj-2026.html", by=editor)


def test_a_newer_copy_shows_exactly_what_changed(changed_page):
    changes = {change.key: change for change in changed_page.changes.all()}
    assert changed_page.agency.slug == ZJ and changed_page.status == IngestedPage.Status.PENDING
    assert set(changes) == {"duty (2)", "duty (15)", "contact Public Telephone: (0571)87054008",
                            "contact Public Telephone: (0571)87054007", "source"}
    reworded = changes["duty (2)"]
    assert reworded.action == "change" and reworded.proposed["text"].startswith("Coordinating and leading the reform")
    assert reworded.current["text"].startswith("Overall coordinating and promoting the reform")
    assert changes["contact Public Telephone: (0571)87054007"].action == "remove"
    assert changes["source"].proposed["page_date"] == "2026-11-01"
    assert changed_page.text[reworded.start:reworded.end].startswith("(2) Coordinating")


def test_a_duty_dropped_from_the_page_is_proposed_for_removal(seed, seed_pages):
    text = seed_text(seed_pages, "000").replace("(14) Completing other tasks", "Completing other tasks")
    page = page_ingest(data=text)
    removal = page.changes.get(key="duty (14)")
    assert removal.action == "remove" and removal.proposed is None and removal.start is None


def test_accepting_applies_every_change_in_one_write_recorded_in_history(changed_page, editor):
    agency = changed_page.agency
    version = agency.version
    page_review_apply(page=changed_page, decisions=accept_all(changed_page), by=editor, on=TODAY)
    agency.refresh_from_db()
    assert agency.last_verified == TODAY and agency.version > version
    assert agency.duties.get(parent=None, label="(2)").text.startswith("Coordinating and leading")
    assert agency.duties.get(parent=None, label="(15)").position == 15
    added = agency.duties.get(label="(15)")  # a new item takes the categories staff chose
    assert [category.slug for category in added.categories.all()] == ["other-tasks"]
    assert list(agency.contacts.filter(label="Public Telephone").values_list("value", flat=True)) == ["(0571)87054008"]
    assert agency.sources.filter(page_date="2026-11-01").exists()
    reasons = set(Duty.history.filter(agency_id=agency.pk, history_user=editor).values_list(
        "history_change_reason", flat=True))
    assert reasons == {f"ingest #{changed_page.pk}"}
    assert agency.history.latest().history_change_reason == f"ingest #{changed_page.pk}"


@pytest.fixture(autouse=True)
def _category_for_new_items(monkeypatch, db):
    """Tests accept new top-level duties into 'other-tasks' as staff would choose in the review form."""
    DutyCategory.objects.get_or_create(slug="other-tasks", defaults={"name": "Other assigned tasks"})
    original = ProposedChange.value.fget

    def value(change):
        result = original(change)
        if change.kind == "duty" and change.action == "add" and result and not result.get("parent"):
            return {**result, "category": result.get("category") or "other-tasks"}
        return result

    monkeypatch.setattr(ProposedChange, "value", property(value))


def test_the_same_page_again_after_accepting_proposes_nothing(changed_page, seed_pages, editor):
    page_review_apply(page=changed_page, decisions=accept_all(changed_page), by=editor)
    again = page_ingest(data=changed_zhejiang(seed_pages), by=editor)
    assert again.status == IngestedPage.Status.NO_CHANGES and again.changes.count() == 0


def test_rejected_changes_leave_the_record_and_accepted_ones_apply(changed_page, editor):
    decisions = accept_all(changed_page)
    for change in changed_page.changes.filter(kind="contact"):
        decisions[change.pk] = Decision("rejected")
    page_review_apply(page=changed_page, decisions=decisions, by=editor)
    agency = changed_page.agency
    assert agency.contacts.get(label="Public Telephone").value == "(0571)87054007"
    assert agency.duties.filter(parent=None).count() == 15
    assert set(changed_page.changes.values_list("decision", flat=True)) == {"accepted", "rejected"}


def test_staff_edit_a_duty_before_accepting_it(changed_page, editor):
    change = changed_page.changes.get(key="duty (2)")
    decisions = accept_all(changed_page)
    decisions[change.pk] = Decision("accepted", {**change.proposed, "text": "Coordinating the reform."})
    page_review_apply(page=changed_page, decisions=decisions, by=editor)
    assert changed_page.agency.duties.get(parent=None, label="(2)").text == "Coordinating the reform."
    change.refresh_from_db()
    assert change.edited["text"] == "Coordinating the reform." and change.decided_by == editor


def test_every_change_must_be_decided_and_an_applied_page_cannot_be_applied_twice(changed_page, editor):
    with pytest.raises(ValidationError, match="Decide every change"):
        page_review_apply(page=changed_page, decisions={}, by=editor)
    page_review_apply(page=changed_page, decisions=accept_all(changed_page), by=editor)
    with pytest.raises(ValidationError, match="already"):
        page_review_apply(page=changed_page, decisions=accept_all(changed_page), by=editor)


def test_a_failing_change_rolls_back_the_whole_accept(changed_page, editor):
    agency = changed_page.agency
    decisions = accept_all(changed_page)
    bad = changed_page.changes.get(key="contact Public Telephone: (0571)87054008")
    decisions[bad.pk] = Decision("accepted", {**bad.proposed, "value": "not a number"})
    with pytest.raises(ValidationError, match="Public Telephone"):
        page_review_apply(page=changed_page, decisions=decisions, by=editor)
    assert agency.duties.get(parent=None, label="(2)").text.startswith("Overall coordinating")
    changed_page.refresh_from_db()
    assert changed_page.status == IngestedPage.Status.PENDING


def test_undo_puts_the_record_back_as_it_was(changed_page, editor):
    agency = changed_page.agency
    before = sorted(agency.duties.values_list("label", "position", "text"))
    contacts = sorted(agency.contacts.values_list("label", "value"))
    page_review_apply(page=changed_page, decisions=accept_all(changed_page), by=editor)
    touched = page_apply_undo(page=changed_page, by=editor)
    assert touched >= 4
    assert sorted(agency.duties.values_list("label", "position", "text")) == before
    assert sorted(agency.contacts.values_list("label", "value")) == contacts
    changed_page.refresh_from_db()
    assert changed_page.status == IngestedPage.Status.UNDONE


def test_undo_restores_a_removed_duty_in_its_place(seed, seed_pages, editor):
    text = seed_text(seed_pages, "000").replace("(14) Completing other tasks", "Completing other tasks")
    page = page_ingest(data=text, by=editor)
    agency = page.agency
    page_review_apply(page=page, decisions=accept_all(page), by=editor)
    assert not agency.duties.filter(label="(14)").exists()
    page_apply_undo(page=page, by=editor)
    assert agency.duties.get(label="(14)").position == 14


def test_a_new_bureau_becomes_a_draft_with_every_duty_sourced(db, editor):
    region = Region.objects.create(code="990000", name="Example Province", level="province")
    page = page_ingest(data=(PAGES / "en_paren_table.html").read_bytes(), file_name="en_paren_table.html", by=editor)
    assert page.agency is None and page.changes.filter(kind="duty").count() == 3
    with pytest.raises(ValidationError, match="region and level"):
        page_review_apply(page=page, decisions=accept_all(page), by=editor)
    page_review_apply(page=page, decisions=accept_all(page), by=editor,
                      new_agency=NewAgency(region=region, level="municipal_bureau"))
    agency = Agency.objects.get(slug="example-city-science-and-technology-bureau")
    assert agency.status == Agency.Status.DRAFT
    assert list(agency.duties.values_list("label", flat=True)) == ["(1)", "(2)", "(3)"]
    assert agency.other_names.get().name == "Example City Foreign Experts Bureau"
    assert sorted(agency.contacts.values_list("kind", flat=True)) == ["email", "fax", "office"]
    assert agency.sources.get().page_date == dt.date(2025, 3, 14)
    duty_change = page.changes.get(key="duty (2)")
    assert duty_change.applied_pk == agency.duties.get(label="(2)").pk
    assert page.text[duty_change.start:duty_change.end] == (
        "(2) To manage city science funds & programmes, and check how they are spent.")


def test_hours_without_days_need_staffs_choice(db, editor):
    region = Region.objects.create(code="990000", name="Example Province", level="province")
    page = page_ingest(data=(PAGES / "en_roman_sections.html").read_bytes(), by=editor)
    hours = list(page.changes.filter(kind="hours"))
    assert len(hours) == 4 and all("no days" in change.flag for change in hours)
    new = NewAgency(region=region, level="provincial_department")
    with pytest.raises(ValidationError, match="choose them before accepting"):
        page_review_apply(page=page, decisions=accept_all(page), by=editor, new_agency=new)
    decisions = accept_all(page)
    for change in hours:
        decisions[change.pk] = Decision("accepted", {**change.proposed, "weekdays": "12345"})
    page = page_review_apply(page=page, decisions=decisions, by=editor, new_agency=new)
    assert set(page.agency.office_hours.values_list("weekdays", flat=True)) == {"12345"}


def test_an_agency_editor_ingests_only_for_their_own_bureau(seed, seed_pages, staff):
    gansu = Agency.objects.get(slug="gansu-department-of-science-and-technology")
    alice = staff("alice", "Agency editors", agencies=(gansu,))
    with pytest.raises(PermissionDenied):
        page_ingest(data=seed_text(seed_pages, "000"), by=alice)
    with pytest.raises(PermissionDenied, match="only editors"):
        page_ingest(data=(PAGES / "en_paren_table.html").read_bytes(), by=alice)
    assert page_ingest(data=seed_text(seed_pages, "002"), by=alice).agency == gansu


def test_rejecting_the_whole_page_writes_nothing(changed_page, editor):
    agency = changed_page.agency
    version = agency.version
    page_reject(page=changed_page, by=editor)
    agency.refresh_from_db()
    assert agency.version == version and agency.last_verified is None
    assert changed_page.changes.filter(decision="rejected").count() == changed_page.changes.count()


def test_confirming_an_unchanged_page_marks_the_bureau_verified(seed, seed_pages, editor):
    page = page_ingest(data=seed_text(seed_pages, "004"), by=editor)
    page_review_apply(page=page, decisions={}, by=editor, on=TODAY)
    page.agency.refresh_from_db()
    assert page.agency.last_verified == TODAY


def test_a_chinese_page_needs_staff_to_give_the_english_name(db, editor):
    region = Region.objects.create(code="990000", name="Example Province", level="province")
    page = page_ingest(data=(PAGES / "zh_dun_paren_cn.html").read_bytes(), by=editor)
    assert not page.changes.filter(key="name").exists()
    assert page.changes.get(key="name_zh").proposed == "示例市科学技术局"
    new = NewAgency(region=region, level="municipal_bureau")
    with pytest.raises(ValidationError, match="English name"):
        page_review_apply(page=page, decisions=accept_all(page), by=editor, new_agency=new)
    new.name = "Example City Science and Technology Bureau"
    page = page_review_apply(page=page, decisions=accept_all(page), by=editor, new_agency=new)
    assert (page.agency.name, page.agency.name_zh, page.agency.rank) == (new.name, "示例市科学技术局", "正处级")
    assert page.agency.other_names.get().name_zh == "示例市外国专家局"
    assert list(page.agency.duties.filter(parent__isnull=False).values_list("label", flat=True)) == ["（一）", "（二）"]


def test_undo_is_refused_where_history_has_no_earlier_version(db, editor):
    region = Region.objects.create(code="990000", name="Example Province", level="province")
    agency = Agency.objects.create(name="Example City Science and Technology Bureau", slug="example-city",
                                   level="municipal_bureau", region=region)
    Duty.objects.bulk_create([Duty(agency=agency, position=1, label="(1)", text="Plan.")])
    page = page_ingest(data="Example City Science and Technology Bureau\n(1) Plan the city.\n(2) Fund.\n", by=editor)
    page_review_apply(page=page, decisions=accept_all(page), by=editor)
    with pytest.raises(ValidationError, match="No earlier version of duty"):
        page_apply_undo(page=page, by=editor)
    assert agency.duties.get(label="(1)").text == "Plan the city."


def test_a_page_that_repeats_itself_still_ingests(db, editor):
    text = ("Example City Science and Technology Bureau\n(1) Plan: (i) one. (ii) two. (i) one again.\n(2) Fund.\n"
            "It also serves as the Example Office. It also serves as the Example Office.\n")
    page = page_ingest(data=text, by=editor)
    keys = list(page.changes.values_list("key", flat=True))
    assert "duty (1) (i)" in keys and "duty (1) (i) #2" in keys
    assert len(keys) == len(set(keys)) and "other name Example Office #2" not in keys
    region = Region.objects.create(code="990000", name="Example Province", level="province")
    new = NewAgency(region=region, level="municipal_bureau")
    with pytest.raises(ValidationError, match=r"gives \(i\) twice under \(1\)"):
        page_review_apply(page=page, decisions=accept_all(page), by=editor, new_agency=new)
    decisions = accept_all(page)
    decisions[page.changes.get(key="duty (1) (i) #2").pk] = Decision("rejected")
    page = page_review_apply(page=page, decisions=decisions, by=editor, new_agency=new)
    assert list(page.agency.duties.get(label="(1)").children.values_list("label", "text")) == [
        ("(i)", "one."), ("(ii)", "two.")]
