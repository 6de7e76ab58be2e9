"""The agency page edits one bureau in one place; history records who changed what; saves never
overwrite each other silently; deleting asks first and can be undone."""
import datetime as dt
import html

import pytest
from django.urls import reverse

from agencies.models import Agency, Contact
from duties.models import Duty
from tests.staff.helpers import change_form_data, inline_prefix

pytestmark = pytest.mark.django_db

ADMIN_PAGES = [
    "agencies_agency", "agencies_region", "agencies_contact", "agencies_officehours", "agencies_specialday",
    "agencies_publicholiday", "agencies_source", "agencies_agencyname", "agencies_agencyassignment",
    "agencies_importbatch", "duties_duty", "duties_dutycategory",
]


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_every_model_has_an_admin_list_page(administrator_client, seed, page):
    assert administrator_client.get(reverse(f"admin:{page}_changelist")).status_code == 200


def test_agency_page_shows_every_inline_in_published_duty_order(editor_client, own_agency):
    response = editor_client.get(reverse("admin:agencies_agency_change", args=[own_agency.pk]))
    assert response.status_code == 200
    inlines = {inline.formset.model._meta.model_name for inline in response.context["inline_admin_formsets"]}
    assert inlines == {"agencyname", "contact", "officehours", "specialday", "duty", "source"}
    duty_formset = next(i.formset for i in response.context["inline_admin_formsets"] if i.formset.model is Duty)
    order = [(d.parent.position if d.parent else d.position, d.parent_id is not None, d.position)
             for d in (form.instance for form in duty_formset.forms)]
    assert order == sorted(order)


def test_editing_agency_and_an_inline_contact_in_one_save_records_history_with_the_user(editor_client, own_agency):
    url = reverse("admin:agencies_agency_change", args=[own_agency.pk])
    page = editor_client.get(url)
    data = change_form_data(page)
    data["hours_notes"] = "Closed for lunch 12:00–14:30."
    prefix = inline_prefix(page, "contact")
    data[f"{prefix}-0-value"] = "0931-8834699"
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    own_agency.refresh_from_db()
    assert own_agency.hours_notes == "Closed for lunch 12:00–14:30."
    assert own_agency.version == 2
    latest = own_agency.history.first()
    assert latest.history_user.username == "bob"
    assert latest.diff_against(latest.prev_record, excluded_fields=["version", "updated_at"]).changed_fields == [
        "hours_notes"
    ]
    contact = Contact.objects.get(agency=own_agency, value="0931-8834699")
    assert contact.e164 == "+869318834699"
    assert contact.history.first().history_user.username == "bob"


def test_invalid_phone_in_inline_is_refused_with_the_models_message(editor_client, own_agency):
    url = reverse("admin:agencies_agency_change", args=[own_agency.pk])
    page = editor_client.get(url)
    data = change_form_data(page)
    data[f"{inline_prefix(page, 'contact')}-0-value"] = "0571-123"
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "&#x27;0571-123&#x27; is not a valid number." in response.content.decode()


def test_second_of_two_concurrent_saves_is_refused_and_says_what_changed(editor_client, administrator_client,
                                                                         own_agency):
    url = reverse("admin:agencies_agency_change", args=[own_agency.pk])
    bobs_form = change_form_data(editor_client.get(url))
    charlies_form = change_form_data(administrator_client.get(url))

    bobs_form["address"] = "Bob's address"
    assert editor_client.post(url, bobs_form).status_code == 302

    charlies_form["website"] = "https://kjt.gansu.gov.cn"
    response = administrator_client.post(url, charlies_form)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "Someone else saved this agency while you were editing it" in page
    assert "bob at " in page
    assert "changed address: 'No. 166 Qingyang Road, Chengguan District, Lanzhou City' → 'Bob's address'" in page
    own_agency.refresh_from_db()
    assert (own_agency.address, own_agency.website, own_agency.version) == ("Bob's address", "", 2)


def test_import_moves_the_version_so_an_open_form_cannot_overwrite_it(editor_client, own_agency):
    from agencies.services import dataset_read, export_dataset, import_dataset

    url = reverse("admin:agencies_agency_change", args=[own_agency.pk])
    open_form = change_form_data(editor_client.get(url))
    dataset = dataset_read(data=export_dataset(resource_name="agencies"), file_format="csv")
    dataset_rows = [dict(zip(dataset.headers, row, strict=True)) for row in dataset]
    for row in dataset_rows:
        if row["slug"] == own_agency.slug:
            row["rank"] = "Division level"
    dataset.wipe()
    import tablib

    dataset = tablib.Dataset(*[list(row.values()) for row in dataset_rows], headers=list(dataset_rows[0]))
    assert import_dataset(resource_name="agencies", dataset=dataset).updated == 1
    assert editor_client.post(url, open_form).status_code == 200
    own_agency.refresh_from_db()
    assert own_agency.rank == "Division level"


def test_history_page_lists_changes_and_an_old_version_can_be_reverted(editor_client, own_agency):
    url = reverse("admin:agencies_agency_change", args=[own_agency.pk])
    data = change_form_data(editor_client.get(url))
    data["postcode"] = "730030"
    editor_client.post(url, data)
    history = editor_client.get(reverse("admin:agencies_agency_history", args=[own_agency.pk]))
    assert history.status_code == 200 and "bob" in history.content.decode()
    original = own_agency.history.earliest()
    revert_url = reverse("admin:agencies_agency_simple_history", args=[own_agency.pk, original.history_id])
    revert_page = editor_client.get(revert_url)
    assert revert_page.status_code == 200
    response = editor_client.post(revert_url, change_form_data(revert_page))
    assert response.status_code == 302
    own_agency.refresh_from_db()
    assert own_agency.postcode == "" and own_agency.version == 3


def test_mark_verified_action_sets_last_verified_and_needs_review_filter_lists_stale_bureaus(editor_client, seed):
    Agency.objects.update(last_verified=dt.date(2020, 1, 1))
    changelist = reverse("admin:agencies_agency_changelist")
    assert editor_client.get(changelist, {"review": "needed"}).context["cl"].result_count == 5
    wenzhou = Agency.objects.get(slug="wenzhou-science-and-technology-bureau")
    response = editor_client.post(changelist, {"action": "mark_verified", "_selected_action": [wenzhou.pk]})
    assert response.status_code == 302
    wenzhou.refresh_from_db()
    assert wenzhou.last_verified == dt.date.today()
    assert wenzhou.history.first().history_user.username == "bob"
    assert editor_client.get(changelist, {"review": "needed"}).context["cl"].result_count == 4


@pytest.mark.parametrize("query", ["Wenzhou", "温州", "wenzhou-science", "330300"])
def test_agency_search_finds_english_chinese_slug_and_region(editor_client, seed, query):
    response = editor_client.get(reverse("admin:agencies_agency_changelist"), {"q": query})
    slugs = [agency.slug for agency in response.context["cl"].result_list]
    assert "wenzhou-science-and-technology-bureau" in slugs


def test_unpublished_agency_is_a_draft_that_the_public_queryset_leaves_out(editor_client, own_agency):
    changelist = reverse("admin:agencies_agency_changelist")
    editor_client.post(changelist, {"action": "unpublish", "_selected_action": [own_agency.pk]})
    assert not Agency.objects.published().filter(pk=own_agency.pk).exists()
    assert not Duty.objects.published().filter(agency=own_agency).exists()
    assert editor_client.get(changelist, {"status__exact": "draft"}).context["cl"].result_count == 1


def test_deleting_an_agency_asks_first_and_can_be_restored_with_its_records(administrator_client, own_agency):
    duties_before = own_agency.duties.count()
    contacts_before = own_agency.contacts.count()
    assert duties_before and contacts_before
    delete_url = reverse("admin:agencies_agency_delete", args=[own_agency.pk])
    confirm = administrator_client.get(delete_url)
    assert "Are you sure" in confirm.content.decode()
    assert Agency.objects.filter(pk=own_agency.pk).exists()
    administrator_client.post(delete_url, {"post": "yes"})
    assert not Agency.objects.filter(pk=own_agency.pk).exists()

    deleted_page = administrator_client.get(reverse("admin:agencies_agency_deleted"))
    assert own_agency.name in deleted_page.content.decode()
    response = administrator_client.post(reverse("admin:agencies_agency_deleted"), {"agency_id": own_agency.pk})
    assert response.status_code == 302
    restored = Agency.objects.get(pk=own_agency.pk)
    assert restored.duties.count() == duties_before
    assert restored.contacts.count() == contacts_before
    assert restored.history.first().history_change_reason == "restored"


def test_agency_page_queries_do_not_grow_with_its_duties(editor_client, own_agency, django_assert_max_num_queries):
    url = reverse("admin:agencies_agency_change", args=[own_agency.pk])
    with django_assert_max_num_queries(22):
        page = editor_client.get(url)
    duty = own_agency.duties.filter(parent=None).order_by("position").first()
    html_page = page.content.decode()
    assert f'<option value="{duty.categories.first().pk}" selected>' in html_page
    data = change_form_data(page)
    prefix = inline_prefix(page, "duty")
    data[f"{prefix}-0-text"] = "Reworded first duty."
    assert editor_client.post(url, data).status_code == 302
    duty.refresh_from_db()
    assert duty.text == "Reworded first duty."


def test_a_contact_saved_on_its_own_page_makes_an_open_agency_page_stale(editor_client, own_agency):
    agency_url = reverse("admin:agencies_agency_change", args=[own_agency.pk])
    open_agency_page = change_form_data(editor_client.get(agency_url))
    contact = own_agency.contacts.get(position=1)
    contact_url = reverse("admin:agencies_contact_change", args=[contact.pk])
    contact_form = change_form_data(editor_client.get(contact_url))
    contact_form["label"] = "Main line"
    assert editor_client.post(contact_url, contact_form).status_code == 302

    response = editor_client.post(agency_url, open_agency_page)
    assert response.status_code == 200
    assert "changed on their own pages" in response.content.decode()
    contact.refresh_from_db()
    assert contact.label == "Main line"
