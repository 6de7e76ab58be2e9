"""Never stale: an edit through any write path shows on the very next anonymous read of the page and
the API, although both were just cached (and the cache is the one every worker shares)."""
import datetime as dt

import pytest
import tablib
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from agencies.models import Agency, Contact, ImportBatch, PublicHoliday, Region
from agencies.services import import_batch_undo, import_dataset
from duties.models import Duty
from freshness.triggers import content_models, content_tables
from tests.staff.helpers import change_form_data, inline_prefix

GANSU = "gansu-department-of-science-and-technology"
PAGE = f"/agencies/{GANSU}/"
API = f"/api/v1/agencies/{GANSU}/"
LIST = "/api/v1/agencies/?region=620000"
NEW_PHONE = "0931-8888888"


@pytest.fixture
def gansu(seed):
    return Agency.objects.get(slug=GANSU)


def read(client) -> str:
    """Profile page, API profile and API list as one text; each read twice so the second comes
    from the cache."""
    texts = []
    for url in (PAGE, API, LIST):
        first = client.get(url)
        again = client.get(url)
        assert again.content == first.content or url == PAGE  # pages differ by their CSRF token only
        texts.append(f"{url} {again.status_code} {again.content.decode()}")
    return "\n".join(texts)


def contacts_file(*rows: tuple) -> tablib.Dataset:
    return tablib.Dataset(*rows, headers=["agency", "kind", "position", "label", "value"])


def test_admin_form_edit(client, editor_client, gansu):
    assert "Renamed Bureau" not in read(client)
    url = reverse("admin:agencies_agency_change", args=[gansu.pk])
    data = change_form_data(editor_client.get(url))
    data["name"] = "Renamed Bureau"
    assert editor_client.post(url, data).status_code == 302
    assert read(client).count("Renamed Bureau") >= 3


def test_admin_inline_edit(client, editor_client, gansu):
    assert NEW_PHONE not in read(client)
    url = reverse("admin:agencies_agency_change", args=[gansu.pk])
    page = editor_client.get(url)
    data = change_form_data(page)
    data[f"{inline_prefix(page, 'contact')}-0-value"] = NEW_PHONE
    assert editor_client.post(url, data).status_code == 302
    assert read(client).count(NEW_PHONE) == 2  # profile page and API profile (the list shows no phones)


def test_admin_action(client, editor_client, gansu):
    assert f"{PAGE} 200" in read(client)
    changelist = reverse("admin:agencies_agency_changelist")
    editor_client.post(changelist, {"action": "unpublish", "_selected_action": [gansu.pk]})
    text = read(client)
    assert f"{PAGE} 404" in text and f"{API} 404" in text and GANSU not in text.split(LIST)[1]


def test_import_and_its_undo(client, gansu):
    assert NEW_PHONE not in read(client)
    report = import_dataset(
        resource_name="contacts", dataset=contacts_file((GANSU, "office", 9, "Night desk", NEW_PHONE))
    )
    assert report.ok and report.new == 1, report.errors
    assert NEW_PHONE in read(client)
    import_batch_undo(batch=report.batch, by=None)
    assert NEW_PHONE not in read(client)


def test_import_command(client, gansu, tmp_path):
    assert NEW_PHONE not in read(client)
    path = tmp_path / "contacts.csv"
    path.write_bytes(contacts_file((GANSU, "office", 9, "Night desk", NEW_PHONE)).export("csv").encode())
    call_command("import_data", "contacts", str(path), verbosity=0)
    assert ImportBatch.objects.count() == 1
    assert NEW_PHONE in read(client)


def test_history_revert(client, editor_client, gansu):
    url = reverse("admin:agencies_agency_change", args=[gansu.pk])
    data = change_form_data(editor_client.get(url))
    data["name"] = "Renamed Bureau"
    editor_client.post(url, data)
    assert "Renamed Bureau" in read(client)
    original = gansu.history.earliest()
    revert_url = reverse("admin:agencies_agency_simple_history", args=[gansu.pk, original.history_id])
    assert editor_client.post(revert_url, change_form_data(editor_client.get(revert_url))).status_code == 302
    assert "Renamed Bureau" not in read(client)


def test_delete_and_restore(client, administrator_client, gansu):
    assert f"{PAGE} 200" in read(client)
    administrator_client.post(reverse("admin:agencies_agency_delete", args=[gansu.pk]), {"post": "yes"})
    assert f"{PAGE} 404" in read(client)
    administrator_client.post(reverse("admin:agencies_agency_deleted"), {"agency_id": gansu.pk})
    text = read(client)
    assert f"{PAGE} 200" in text and f"{API} 200" in text


def test_holiday_edit(client, administrator_client, gansu):
    """A staff holiday on an ordinary Monday closes the agency in the status answers for that day."""
    status_url = f"{API}status/?at=2027-03-01T10:00%2B08:00"
    holidays_url = "/api/v1/holidays/?year=2027"
    assert client.get(status_url).json()["open"] is True and "Flood day" not in client.get(holidays_url).text
    response = administrator_client.post(reverse("admin:agencies_publicholiday_add"), {
        "date": "2027-03-01", "kind": "holiday", "name": "Flood day", "name_zh": "", "notice": "",
    })
    assert response.status_code == 302
    assert client.get(status_url).json()["reason"] == "public_holiday"
    assert "Flood day" in client.get(holidays_url).content.decode()


def test_queryset_update(client, gansu):
    assert "Bulk Renamed" not in read(client)
    Agency.objects.filter(pk=gansu.pk).update(name="Bulk Renamed")  # no save(), no signal, no history
    assert read(client).count("Bulk Renamed") >= 3


def test_bulk_create(client, gansu):
    assert NEW_PHONE not in read(client)
    Contact.objects.bulk_create([
        Contact(agency=gansu, kind="office", label="Night desk", value=NEW_PHONE, e164="+869318888888", position=9)
    ])
    assert NEW_PHONE in read(client)


def test_region_rename_reaches_pages_that_only_show_it(client, gansu):
    assert "Gansu Renamed" not in client.get("/regions/").content.decode()
    Region.objects.filter(code="620000").update(name="Gansu Renamed")
    assert "Gansu Renamed" in client.get("/regions/").content.decode()
    assert "Gansu Renamed" in client.get(API).content.decode()


def test_duty_edit_reaches_compare_and_duties_api(client, gansu):
    url = f"/api/v1/duties/?agency={GANSU}"
    assert "Rewritten duty" not in client.get(url).content.decode()
    duty = Duty.objects.filter(agency=gansu).first()
    duty.text = "Rewritten duty."
    duty.save()
    assert "Rewritten duty" in client.get(url).content.decode()
    assert "Rewritten duty" in client.get(PAGE).content.decode()


def test_a_rolled_back_write_leaves_the_cache_valid(client, gansu, django_assert_num_queries):
    from django.db import transaction

    read(client)
    with pytest.raises(RuntimeError), transaction.atomic():
        Agency.objects.filter(pk=gansu.pk).update(name="Never committed")
        raise RuntimeError
    with django_assert_num_queries(1):  # the content version, unchanged: the stored answer
        assert "Never committed" not in client.get(API).content.decode()


def test_every_content_table_carries_the_version_triggers(db):
    """Tables added later (synonyms, many-to-many joins) are covered by the same post-migrate step."""
    labels = {model._meta.label for model in content_models()}
    assert {"agencies.Agency", "agencies.Contact", "agencies.OfficeHours", "agencies.SpecialDay",
            "agencies.PublicHoliday", "agencies.Region", "agencies.Source", "agencies.AgencyName",
            "duties.Duty", "duties.DutyCategory"} <= labels
    assert not any(label.split(".")[1].startswith("Historical") for label in labels)
    assert "agencies.ImportBatch" not in labels
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'freshness_%'")
        else:
            cursor.execute("SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = 'freshness_bump'")
        with_triggers = {row[0].strip('"') for row in cursor.fetchall()}
    assert set(content_tables()) <= with_triggers
    assert PublicHoliday._meta.db_table in with_triggers
    assert Duty.categories.through._meta.db_table in with_triggers  # a many-to-many join table


def test_writes_outside_the_content_leave_the_version_alone(db):
    """Sessions, login attempts and staff bookkeeping change no public answer: no cache is dropped."""
    from django.contrib.sessions.models import Session

    from freshness import version

    before = version.current()
    Session.objects.create(session_key="k" * 32, session_data="", expire_date=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    ImportBatch.objects.create(resource="contacts")
    assert version.current() == before
