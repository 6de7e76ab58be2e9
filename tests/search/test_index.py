"""The index stays right on every write path: admin forms and inlines, import, import undo, history
revert, delete/restore, synonym edits, the synthetic generator, and the rebuild command."""
import io

import pytest
import tablib
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from agencies.models import Agency, Contact, Region
from agencies.services import agency_restore, dataset_read, import_batch_undo, import_dataset
from search.engine import search_agencies
from search.models import Synonym
from tests.factories import AgencyFactory, DutyFactory, RegionFactory
from tests.staff.helpers import change_form_data, inline_prefix

GANSU = "gansu-department-of-science-and-technology"


def found(query: str) -> set[str]:
    return set(search_agencies(Agency.objects.published(), query).queryset.values_list("slug", flat=True))


@pytest.fixture
def gansu(seed):
    return Agency.objects.get(slug=GANSU)


def test_admin_save_of_the_agency_and_an_inline_contact_reindexes_both(editor_client, gansu):
    url = reverse("admin:agencies_agency_change", args=[gansu.pk])
    page = editor_client.get(url)
    data = change_form_data(page)
    data["address"] = "No. 166 Qingyang Road, Chengguan District, Lanzhou City, Xigu Annex"
    data[f"{inline_prefix(page, 'contact')}-0-value"] = "0931-8834699"
    assert editor_client.post(url, data).status_code == 302
    assert found("Xigu") == {GANSU}
    assert found("0931 8834699") == {GANSU}


def test_a_duty_added_on_its_own_admin_page_is_found(editor_client, gansu):
    response = editor_client.post(reverse("admin:duties_duty_add"), {
        "agency": gansu.pk, "position": 99, "label": "(99)", "text": "Oversee zeolite laboratories.",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert found("zeolite") == {GANSU}


def test_import_finds_new_words_and_its_undo_removes_them(seed, gansu):
    dataset = tablib.Dataset(headers=["agency", "name", "name_zh", "position"])
    dataset.append([GANSU, "Gansu Quasar Observatory Office", "", 9])
    report = import_dataset(resource_name="names", dataset=dataset)
    assert report.ok and report.new == 1
    assert found("quasar") == {GANSU}
    import_batch_undo(batch=report.batch, by=None)
    assert found("quasar") == set()


def test_agency_import_reindexes_the_imported_agencies(seed, gansu):
    data = (b"slug,name,name_zh,level,region,status\n"
            b"new-bureau,Xanadu Science Bureau,,municipal_bureau,620100,published\n")
    report = import_dataset(resource_name="agencies", dataset=dataset_read(data=data, file_format="csv"))
    assert report.ok, report.errors
    assert found("Xanadu") == {"new-bureau"}
    assert "new-bureau" in found("Lanzhou")  # its region, reached through the index


def test_region_rename_reindexes_the_agencies_in_it(seed):
    region = Region.objects.get(code="431200")
    region.name = "Huaihua Prefecture Renamed"
    region.save()
    assert found("Renamed") == {"huaihua-science-and-technology-bureau"}


def test_history_revert_puts_the_old_words_back(editor_client, gansu):
    url = reverse("admin:agencies_agency_change", args=[gansu.pk])
    data = change_form_data(editor_client.get(url))
    data["address"] = "Yardang Street 1"
    editor_client.post(url, data)
    assert found("Yardang") == {GANSU} and found("Qingyang") == set()
    original = gansu.history.earliest()
    revert_url = reverse("admin:agencies_agency_simple_history", args=[gansu.pk, original.history_id])
    assert editor_client.post(revert_url, change_form_data(editor_client.get(revert_url))).status_code == 302
    assert found("Yardang") == set() and found("Qingyang") == {GANSU}


def test_deleted_agency_leaves_the_index_and_comes_back_restored(seed, gansu):
    pk = gansu.pk
    gansu.delete()
    assert found("Lanzhou") == set()
    agency_restore(agency_id=pk, by=None)
    assert found("Lanzhou") == {GANSU}
    assert found("0931-8834621") == {GANSU}  # its contacts came back too


def test_unpublished_agency_is_indexed_but_never_found_publicly(seed, gansu):
    gansu.status = Agency.Status.DRAFT
    gansu.save()
    assert found("Lanzhou") == set()
    assert search_agencies(Agency.objects.all(), "Lanzhou").queryset.filter(slug=GANSU).exists()


def test_synonym_edits_take_effect_on_the_next_search(seed):
    assert found("kjt") == {"zhejiang-department-of-science-and-technology"}  # in its website address
    assert found("heihei") == set()
    synonym = Synonym.objects.create(term="heihei", equivalent="kjt")
    assert found("heihei") == {"zhejiang-department-of-science-and-technology"}
    synonym.delete()
    assert found("heihei") == set()


def test_synonym_import_takes_effect_on_the_next_search(seed):
    dataset = tablib.Dataset(headers=["term", "equivalent", "note"])
    dataset.append(["Quake", "seismic", "test"])
    assert import_dataset(resource_name="synonyms", dataset=dataset).ok
    assert found("quake") == {"guiyang-bureau-of-science-and-technology"}


def test_synthetic_generator_bulk_writes_are_indexed(db):
    call_command("generate_synthetic", agencies=12, verbosity=0)
    synthetic = Agency.objects.filter(is_synthetic=True)
    assert synthetic.count() == 12
    assert found("Synthetic") == set(synthetic.values_list("slug", flat=True))
    call_command("generate_synthetic", agencies=12, replace=True, verbosity=0)
    assert found("Synthetic") == set(Agency.objects.filter(is_synthetic=True).values_list("slug", flat=True))


def test_rebuild_command_restores_a_lost_index_and_reports(seed):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_document")
    assert found("Lanzhou") == set()
    out = io.StringIO()
    call_command("rebuild_search_index", stdout=out, no_progress=True)
    assert out.getvalue().startswith("Indexed 5 agencies in ")
    assert found("Lanzhou") == {GANSU}


def test_factory_agencies_and_duties_are_indexed_as_they_are_saved(db):
    agency = AgencyFactory(name="Nowhere Bureau", region=RegionFactory(code="110000", name="Beijing"))
    DutyFactory(agency=agency, position=1, text="Manage the Ultima programme.")
    assert found("Ultima Beijing") == {agency.slug}
    Contact.objects.create(agency=agency, kind="office", label="Office", value="010-12345678")
    assert found("12345678") == {agency.slug}


def _stored_documents(ids: list[int]) -> dict[int, tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"SELECT rowid, names, places, duties FROM search_document WHERE rowid IN "
                           f"({', '.join(['%s'] * len(ids))})", ids)
        else:
            cursor.execute("SELECT rowid, vector::text FROM search_document WHERE rowid = ANY(%s)", [ids])
        return {row[0]: tuple(row[1:]) for row in cursor.fetchall()}


def test_the_documents_of_imported_new_agencies_are_those_a_rebuild_writes(seed):
    """New agencies are indexed from their own columns (nothing else can name them yet): the same
    documents, token for token, as a rebuild that reads everything."""
    from search.index import rebuild

    region = Region.objects.get(code="620000")
    rows = [[f"test-new-{n}", f"Quokka Water Bureau {n}", f"袋鼠水务局{n}", "county_bureau", region.code,
             region.code, "published", "Asia/Shanghai", f"No. {n} Quokka Road", "730000"] for n in range(3)]
    dataset = tablib.Dataset(*rows, headers=["slug", "name", "name_zh", "level", "region", "seat", "status",
                                             "timezone", "address", "postcode"])
    report = import_dataset(resource_name="agencies", dataset=dataset)
    assert (report.new, report.errors) == (3, [])
    ids = list(Agency.objects.filter(slug__startswith="test-new-").values_list("pk", flat=True))
    imported = _stored_documents(ids)
    rebuild()
    assert imported == _stored_documents(ids) and len(imported) == 3
    assert found("袋鼠水务") == {f"test-new-{n}" for n in range(3)}


def test_the_typo_vocabulary_follows_the_index_and_is_read_in_one_query(
    seed, gansu, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """The words behind "Did you mean …?" are added by the index's own writes (name imports, agency
    saves), read as one small table (not 200,000 names: ~0.7 s at 100,000 agencies), and stay cached
    through duty and contact writes, which add none."""
    from search.engine import search_agencies
    from search.index import rebuild
    from search.models import Word
    from search.suggest import CACHE_KEY, vocabulary

    def kept() -> bool:
        return cache.get(CACHE_KEY) is not None

    cache.delete(CACHE_KEY)
    with django_assert_num_queries(1):
        assert vocabulary()["huaihua"] == "Huaihua" and vocabulary()["怀化"] == "怀化"
    with django_capture_on_commit_callbacks(execute=True):
        DutyFactory(agency=gansu, position=99)
        Contact.objects.filter(agency=gansu).first().save()
        contacts = tablib.Dataset(headers=["agency", "kind", "position", "label", "value"])
        contacts.append([GANSU, "office", 9, "Night desk", "0931-8800000"])
        assert import_dataset(resource_name="contacts", dataset=contacts).ok
    assert kept()
    with django_capture_on_commit_callbacks(execute=True):
        names = tablib.Dataset(headers=["agency", "name", "name_zh", "position"])
        names.append([GANSU, "Gansu Quasar Observatory Office", "", 9])
        assert import_dataset(resource_name="names", dataset=names).ok
    assert not kept() and vocabulary()["quasar"] == "Quasar"
    original = gansu.name
    with django_capture_on_commit_callbacks(execute=True):
        gansu.name = "Gansu Zephyrine Department of Science and Technology"
        gansu.save()
    assert vocabulary()["zephyrine"] == "Zephyrine"
    assert search_agencies(Agency.objects.all(), "Zephirine").suggestion_text == "Zephyrine"

    gansu.name = original
    gansu.save()
    # The word of the old name stays until a rebuild, but is never offered: it would find nothing.
    assert Word.objects.filter(key="zephyrine").exists()
    assert search_agencies(Agency.objects.all(), "Zephirine").suggestion is None
    with django_capture_on_commit_callbacks(execute=True):
        rebuild()
    assert not Word.objects.filter(key="zephyrine").exists()
    assert "quasar" in vocabulary() and "zephyrine" not in vocabulary()


def test_documents_written_in_chunks_are_those_written_one_agency_at_a_time(seed, monkeypatch):
    """Indexing reads each chunk's texts before the previous chunk's documents are sent (the writes are
    pipelined on PostgreSQL): in chunks of two, every seed bureau gets the document it gets alone,
    through an update and through a rebuild."""
    from django.db import connection

    from search import index

    ids = sorted(Agency.objects.values_list("pk", flat=True))
    for pk in ids:
        index.index_agencies([pk])
    alone = _stored_documents(ids)
    monkeypatch.setattr(index, "CHUNK", 2)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_document")
    assert index.index_agencies(ids) == len(ids) == 5
    assert _stored_documents(ids) == alone
    assert index.rebuild() == 5
    assert _stored_documents(ids) == alone
    assert found("Lanzhou") == {GANSU}
