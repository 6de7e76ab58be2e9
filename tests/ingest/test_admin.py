"""The staff pages: ingest a page, review it side by side, apply, undo, provenance; scoped as always."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Agency
from ingest.models import IngestedPage
from ingest.services import page_ingest
from tests.ingest.conftest import PAGES, seed_text

ADD = "admin:ingest_ingestedpage_add"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def review_url(page) -> str:
    return reverse("admin:ingest_ingestedpage_change", args=[page.pk])


@pytest.fixture
def editor_client(editor):
    return client_for(editor)


def test_uploading_a_saved_page_leads_to_its_review(db, editor_client):
    upload = SimpleUploadedFile("en_paren_table.html", (PAGES / "en_paren_table.html").read_bytes(), "text/html")
    response = editor_client.post(reverse(ADD), {"page_file": upload})
    page = IngestedPage.objects.get()
    assert response.status_code == 302 and response["Location"] == review_url(page)
    assert page.file_name == "en_paren_table.html" and page.agency is None
    review = editor_client.get(review_url(page)).content.decode()
    assert '<mark class="fact fact-duties proposed"' in review
    assert "New bureau" in review and 'name="region"' in review


def test_a_page_in_an_undeclared_encoding_asks_for_one_and_shows_a_preview(db, editor_client):
    data = (PAGES / "zh_gb18030_nometa.txt").read_bytes()
    response = editor_client.post(reverse(ADD), {"page_file": SimpleUploadedFile("p.txt", data, "text/plain")})
    body = response.content.decode()
    assert response.status_code == 200 and "GB18030" in body and "示例市科学技术局" in body
    assert not IngestedPage.objects.exists()
    response = editor_client.post(reverse(ADD), {"page_file": SimpleUploadedFile("p.txt", data, "text/plain"),
                                                 "encoding": "gb18030"})
    assert response.status_code == 302 and IngestedPage.objects.get().encoding == "gb18030"


def test_one_source_at_a_time_and_no_url_while_fetching_is_off(db, editor_client):
    response = editor_client.post(reverse(ADD), {"text": "x", "page_file": SimpleUploadedFile("a.txt", b"y")})
    assert "exactly one" in response.content.decode()
    assert 'name="url"' not in editor_client.get(reverse(ADD)).content.decode()


def test_the_review_shows_page_text_escaped_never_rendered(db, editor):
    html = ("<html><body><h1>Example City Science and Technology Bureau</h1>"
            "<p>(1) &lt;script&gt;alert(1)&lt;/script&gt; Plan.</p><p>(2) Fund.</p>"
            "<script>document.title='pwned'</script></body></html>")
    page = page_ingest(data=html.encode(), by=editor)
    body = client_for(editor).get(review_url(page)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert(1)" not in body and "pwned" not in body


def test_applying_decisions_from_the_form_updates_the_record(seed, seed_pages, editor, editor_client):
    text = seed_text(seed_pages, "000").replace("(13) Being responsible for organizing",
                                                "(13) Being responsible for leading")
    page = page_ingest(data=text, by=editor)
    change = page.changes.get(key="duty (13)")
    body = editor_client.get(review_url(page)).content.decode()
    assert "<del>organizing</del><ins>leading</ins>" in body  # the word-level diff
    response = editor_client.post(review_url(page), {f"decision-{change.pk}": "accepted",
                                                     f"value-{change.pk}": change.proposed["text"] + " (edited)"})
    assert response.status_code == 302
    agency = Agency.objects.get(slug="zhejiang-department-of-science-and-technology")
    assert agency.duties.get(label="(13)").text.endswith("awards. (edited)")
    assert agency.last_verified is not None
    provenance = editor_client.get(reverse("admin:ingest_proposedchange_changelist")).content.decode()
    assert "duty (13)" in provenance and f"{change.start}–{change.end}" in provenance
    undo = editor_client.post(reverse("admin:ingest_ingestedpage_undo", args=[page.pk]))
    assert undo.status_code == 302
    assert agency.duties.get(label="(13)").text.startswith("Being responsible for organizing")


def test_an_undecided_change_is_an_error_on_the_page_not_a_500(seed, seed_pages, editor, editor_client):
    text = seed_text(seed_pages, "000").replace("(0571)87054007", "(0571)87054008")
    page = page_ingest(data=text, by=editor)
    response = editor_client.post(review_url(page), {})
    assert response.status_code == 200 and "Decide every change" in response.content.decode()


def test_an_agency_editor_sees_and_reviews_only_their_bureaus_pages(seed, seed_pages, staff, editor):
    gansu = Agency.objects.get(slug="gansu-department-of-science-and-technology")
    alice = client_for(staff("alice", "Agency editors", agencies=(gansu,)))
    zhejiang_page = page_ingest(data=seed_text(seed_pages, "000"), by=editor)
    gansu_page = page_ingest(data=seed_text(seed_pages, "002"), by=editor)
    assert alice.get(review_url(zhejiang_page)).status_code == 404
    assert alice.get(review_url(gansu_page)).status_code == 200
    listing = alice.get(reverse("admin:ingest_ingestedpage_changelist")).content.decode()
    assert f"Page #{gansu_page.pk}" in listing and f"Page #{zhejiang_page.pk}" not in listing
    response = alice.post(reverse(ADD), {"text": seed_text(seed_pages, "000")})
    assert "You may not edit" in response.content.decode()


def test_a_viewer_may_look_but_not_apply(seed, seed_pages, staff, editor):
    vera = client_for(staff("vera", "Viewers"))
    text = seed_text(seed_pages, "000").replace("(0571)87054007", "(0571)87054008")
    page = page_ingest(data=text, by=editor)
    body = vera.get(review_url(page)).content.decode()
    assert "Apply decisions" not in body
    assert vera.post(review_url(page), {}).status_code == 403
    assert vera.get(reverse(ADD)).status_code == 403


def test_staff_correct_a_contacts_label_before_accepting_it(seed, seed_pages, editor, editor_client):
    text = seed_text(seed_pages, "000").replace("Public Telephone: (0571)87054007", "Public Telephone: (0571)87054008")
    page = page_ingest(data=text, by=editor)
    added = page.changes.get(action="add", kind="contact")
    removed = page.changes.get(action="remove", kind="contact")
    response = editor_client.post(review_url(page), {
        f"decision-{added.pk}": "accepted", f"kind-{added.pk}": "enquiries", f"label-{added.pk}": "Public enquiries",
        f"value-{added.pk}": "(0571)87054008", f"decision-{removed.pk}": "accepted"})
    assert response.status_code == 302
    contact = Agency.objects.get(pk=page.agency_id).contacts.get(value="(0571)87054008")
    assert (contact.kind, contact.label, contact.e164) == ("enquiries", "Public enquiries", "+8657187054008")


def test_fetching_by_url_when_enabled_refuses_loopback_and_honours_the_servers_charset(db, editor_client, settings,
                                                                                         monkeypatch):
    settings.INGEST_URL_FETCH = True
    response = editor_client.post(reverse(ADD), {"url": "http://127.0.0.1:8000/admin/"})
    assert response.status_code == 200 and "refused" in response.content.decode()
    assert not IngestedPage.objects.exists()
    from ingest.fetch import Fetched

    page_bytes = "<p>示例市科学技术局</p><p>（一）负责科技规划。</p><p>（二）负责知识产权。</p>".encode("gbk")
    monkeypatch.setattr("ingest.admin.fetch_page", lambda url: Fetched(url, page_bytes, "text/html; charset=GBK"))
    response = editor_client.post(reverse(ADD), {"url": "http://bureau.example/about"})
    page = IngestedPage.objects.get()
    assert response.status_code == 302 and (page.url, page.encoding) == ("http://bureau.example/about", "gb18030")
    assert page.changes.filter(kind="duty").count() == 2


def test_the_review_page_reads_a_fixed_number_of_queries_however_many_changes(db, editor, editor_client):
    small = page_ingest(data="Example City Science and Technology Bureau\n(1) Plan.\n(2) Fund.\n", by=editor)
    items = "".join(f"({n}) Item {n}.\n" for n in range(1, 41))
    large = page_ingest(data=f"Example Town Science and Technology Bureau\n{items}Tel: 0571-87654321\n", by=editor)
    counts = []
    for page in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert editor_client.get(review_url(page)).status_code == 200
        counts.append(len(queries))
    assert small.changes.count() < 5 < 40 < large.changes.count()
    assert counts[0] == counts[1]


def test_staff_may_give_a_new_duty_categories_or_none(seed, seed_pages, editor, editor_client):
    text = seed_text(seed_pages, "004").rstrip() + "\n(19) Run the science museum.\n(20) Publish data.\n"
    page = page_ingest(data=text, by=editor)
    museum, data = page.changes.get(key="duty (19)"), page.changes.get(key="duty (20)")
    assert "Categories (optional" in editor_client.get(review_url(page)).content.decode()
    response = editor_client.post(review_url(page), {
        f"decision-{museum.pk}": "accepted", f"category-{museum.pk}": ["talent-popularization", "other-tasks"],
        f"decision-{data.pk}": "accepted"})
    assert response.status_code == 302
    agency = Agency.objects.get(pk=page.agency_id)
    assert sorted(agency.duties.get(label="(19)").categories.values_list("slug", flat=True)) == [
        "other-tasks", "talent-popularization"]
    assert not agency.duties.get(label="(20)").categories.exists()
