"""Undo never takes later hand edits with it; the restore view answers junk with a message, not a 500."""
import html

import pytest
from django.urls import reverse

from agencies.models import Agency, Contact, ImportBatch, Region
from agencies.services import dataset_read, import_dataset

pytestmark = pytest.mark.django_db


def import_agency(user) -> ImportBatch:
    text = ("slug,name,name_zh,level,region,seat,parent,rank,description,website,address,postcode,timezone,"
            "hours_notes,status,last_verified\n"
            "imported-bureau,Imported Bureau,,municipal_bureau,620000,,,,,,,,Asia/Shanghai,,published,\n")
    report = import_dataset(resource_name="agencies", dataset=dataset_read(data=text.encode(), file_format="csv"),
                            user=user)
    assert report.ok, report.errors
    return report.batch


def test_undo_refuses_and_lists_a_contact_added_by_hand_to_an_imported_agency(editor_client, seed):
    batch = import_agency(editor_client.user)
    agency = Agency.objects.get(slug="imported-bureau")
    Contact.objects.create(agency=agency, kind="office", label="Added by hand", value="0931-8834600")

    response = editor_client.post(reverse("admin:agencies_importbatch_undo", args=[batch.pk]), follow=True)
    page = html.unescape(response.content.decode())
    assert "Not undone: records added after this import depend on what it created (1)" in page
    assert "contact 'Added by hand: 0931-8834600' would be deleted with it" in page
    assert Contact.objects.filter(label="Added by hand").exists()
    batch.refresh_from_db()
    assert batch.undone_at is None


def test_undo_refuses_when_a_later_agency_uses_an_imported_region(editor_client, seed):
    text = "code,name,name_zh,level,parent\n990000,Test province,,province,\n"
    batch = import_dataset(resource_name="regions", dataset=dataset_read(data=text.encode(), file_format="csv"),
                           user=editor_client.user).batch
    Agency.objects.create(slug="later", name="Later Bureau", level="provincial_department",
                          region=Region.objects.get(code="990000"))
    response = editor_client.post(reverse("admin:agencies_importbatch_undo", args=[batch.pk]), follow=True)
    assert "agency 'Later Bureau' still uses what it created" in html.unescape(response.content.decode())
    assert Region.objects.filter(code="990000").exists()


def test_undo_without_later_dependents_still_removes_the_import(editor_client, seed):
    batch = import_agency(editor_client.user)
    editor_client.post(reverse("admin:agencies_importbatch_undo", args=[batch.pk]))
    assert not Agency.objects.filter(slug="imported-bureau").exists()


@pytest.mark.parametrize("agency_id", [None, "", "abc", "1e3", "99999999999999999999999"])
def test_restore_view_answers_a_missing_or_junk_agency_id_with_a_message(administrator_client, seed, agency_id):
    data = {} if agency_id is None else {"agency_id": agency_id}
    response = administrator_client.post(reverse("admin:agencies_agency_deleted"), data, follow=True)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "Choose a deleted agency to restore" in page or "No deletion of this agency is recorded" in page
