"""Imports at national scale: a bounded number of queries whatever the file's length, one historical row
per written row with the values as stored, fresh statistics without scanning every row."""
import pytest
import tablib
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Agency
from agencies.services import import_dataset, tables_analyze
from duties.models import Duty
from search.engine import search_agencies
from tests.factories import AgencyFactory, DutyCategoryFactory, RegionFactory

pytestmark = pytest.mark.django_db


def agencies_file(count: int, region_code: str, name: str = "Test Import Bureau") -> tablib.Dataset:
    return tablib.Dataset(
        *[[f"test-import-{n:04d}", f"{name} {n}", f"测试导入局{n}", "county_bureau", region_code, "draft",
           "Asia/Shanghai", f"No. {n} Test Road"] for n in range(count)],
        headers=["slug", "name", "name_zh", "level", "region", "status", "timezone", "address"],
    )


def duties_file(count: int, category: str) -> tablib.Dataset:
    rows = []
    for n in range(count):
        slug = f"test-import-{n:04d}"
        rows += [[slug, "", 1, "(1)", "Formulate plans.", category], [slug, 1, 1, "1.", "Draft the plan.", category],
                 [slug, "", 2, "(2)", "Publish the plan.", ""]]
    return tablib.Dataset(*rows, headers=["agency", "parent", "position", "label", "text", "categories"])


def queries_to_import(resource_name: str, dataset: tablib.Dataset) -> int:
    with CaptureQueriesContext(connection) as queries:
        report = import_dataset(resource_name=resource_name, dataset=dataset)
    assert report.errors == [], report.errors[:3]
    return len(queries)


def test_queries_per_import_do_not_grow_with_the_rows():
    """Per-row queries would make 40 rows cost 10× what 4 do; a batch writes up to a thousand rows."""
    region, category = RegionFactory().code, DutyCategoryFactory().slug
    small = queries_to_import("agencies", agencies_file(4, region))
    Agency.objects.filter(slug__startswith="test-import-").delete()
    large = queries_to_import("agencies", agencies_file(40, region))
    assert large <= small + 3, (small, large)  # SQLite takes at most 999 values per INSERT
    small = queries_to_import("duties", duties_file(4, category))
    Duty.objects.filter(parent__isnull=False).delete()
    Duty.objects.all().delete()
    large = queries_to_import("duties", duties_file(40, category))
    assert large <= small + 3, (small, large)
    assert Duty.objects.count() == 120 and Duty.objects.filter(categories__slug=category).count() == 80


def test_every_created_or_updated_row_has_one_historical_row_with_its_stored_values(django_user_model):
    user = django_user_model.objects.create_superuser("importer", "importer@example.org", "x")
    region = RegionFactory().code
    report = import_dataset(resource_name="agencies", dataset=agencies_file(3, region), user=user)
    assert report.new == 3
    tracked = [field.attname for field in Agency.history.model.tracked_fields]
    for agency in Agency.objects.filter(slug__startswith="test-import-"):
        (record,) = agency.history.all()
        assert (record.history_type, record.history_user, record.history_change_reason) == (
            "+", user, report.batch.change_reason)
        assert [getattr(record, name) for name in tracked] == [getattr(agency, name) for name in tracked]

    renamed = agencies_file(3, region, name="Renamed Bureau")
    report = import_dataset(resource_name="agencies", dataset=renamed, user=user)
    assert report.updated == 3
    agency = Agency.objects.get(slug="test-import-0001")
    latest, first = agency.history.all()
    assert (latest.history_type, latest.name, latest.version, first.name) == (
        "~", "Renamed Bureau 1", agency.version, "Test Import Bureau 1")
    assert latest.history_change_reason == report.batch.change_reason


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's sampling limit")
def test_fresh_statistics_sample_the_indexes_and_leave_the_connection_as_it_was():
    AgencyFactory.create_batch(3)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA analysis_limit = 0")
        tables_analyze(models=[Agency, Agency.history.model])
        cursor.execute("PRAGMA analysis_limit")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = %s", [Agency._meta.db_table])
        assert cursor.fetchone()[0] > 0


def test_a_file_without_a_parent_column_does_not_load_every_agency():
    """New agencies are remembered as possible parents for later rows; with no parent column no row
    names one, so the other agencies of the table are never read (100,000 at national scale)."""
    from django.db.models.signals import post_init

    AgencyFactory.create_batch(40)
    loaded = []

    def count(sender, instance, **kwargs):
        loaded.append(instance)

    post_init.connect(count, sender=Agency)
    try:
        report = import_dataset(resource_name="agencies", dataset=agencies_file(2, RegionFactory().code))
    finally:
        post_init.disconnect(count, sender=Agency)
    assert report.errors == [] and report.new == 2
    assert len(loaded) < 10, f"{len(loaded)} agencies instantiated for a two-row file"


def test_rows_inserted_in_bulk_get_their_own_ids_and_their_parents_ids():
    from django.utils import timezone

    from agencies.resources import rows_insert

    region = RegionFactory()
    parent = Agency(slug="test-parent", name="Parent", name_zh="上级", level="county_bureau", region=region,
                    timezone="Asia/Shanghai", updated_at=timezone.now())
    assert rows_insert(Agency, [parent])
    children = [Agency(slug=f"test-child-{n}", name=f"Child {n}", name_zh=f"下级{n}", level="county_bureau",
                       region=region, parent=parent, timezone="Asia/Shanghai", updated_at=timezone.now())
                for n in range(5)]
    assert rows_insert(Agency, children, batch_size=2)
    stored = dict(Agency.objects.filter(slug__startswith="test-child-").values_list("pk", "slug"))
    assert {child.pk: child.slug for child in children} == stored
    assert set(Agency.objects.filter(parent=parent).values_list("slug", flat=True)) == set(stored.values())
    assert not children[0]._state.adding
    # auto_now and auto_now_add: one time stamp per statement, on the objects as stored
    before = timezone.now()
    later = [Agency(slug=f"test-later-{n}", name=f"Later {n}", name_zh=f"后来{n}", level="county_bureau",
                    region=region, timezone="Asia/Shanghai") for n in range(3)]
    assert rows_insert(Agency, later, batch_size=2)
    stamps = list(Agency.objects.filter(slug__startswith="test-later-").order_by("slug").values_list(
        "created_at", "updated_at"))
    assert stamps == [(obj.created_at, obj.updated_at) for obj in later]
    assert all(before <= created <= updated <= timezone.now() for created, updated in stamps)
    assert stamps[0] == stamps[1] != stamps[2]  # two statements


def test_a_second_import_replaces_the_categories_of_existing_duties_and_sets_those_of_new_ones():
    """New duties have no links to clear; the duties the file updates lose the categories it no longer names."""
    region, first, second = RegionFactory().code, DutyCategoryFactory().slug, DutyCategoryFactory().slug
    queries_to_import("agencies", agencies_file(3, region))
    queries_to_import("duties", duties_file(2, first))
    report = import_dataset(resource_name="duties", dataset=duties_file(3, second))  # and a third agency's
    assert (report.new, report.updated, report.errors) == (3, 4, [])
    for slug in ("test-import-0000", "test-import-0002"):
        duty = Duty.objects.get(agency__slug=slug, parent=None, position=1)
        assert list(duty.categories.values_list("slug", flat=True)) == [second]


def test_an_unchanged_agencies_file_writes_no_search_document():
    """Only rows the import wrote are reindexed: a file repeated as it is leaves the index as it was."""
    from search.index import index_version

    region = RegionFactory().code
    queries_to_import("agencies", agencies_file(3, region))
    before = index_version()
    report = import_dataset(resource_name="agencies", dataset=agencies_file(3, region))
    assert (report.unchanged, report.errors) == (3, [])
    assert index_version() == before
    renamed = agencies_file(3, region)
    renamed[1] = ["test-import-0001", "Quokka Science Bureau", *renamed[1][2:]]
    report = import_dataset(resource_name="agencies", dataset=renamed)
    assert (report.updated, report.unchanged) == (1, 2)

    def found(queryset) -> set[str]:
        return set(search_agencies(queryset, "Quokka").queryset.values_list("slug", flat=True))

    assert found(Agency.objects.published()) == set()  # drafts
    assert found(Agency.objects.all()) == {"test-import-0001"}


def test_statistics_go_stale_by_autovacuums_rule_and_a_narrowed_analyze_runs():
    """More rows than 50 + 10 % of those the statistics counted: the import analyzes (the plan-relevant
    columns on PostgreSQL); fewer leave that to autovacuum, which counts them with later changes."""
    from agencies.services import statistics_stale

    AgencyFactory.create_batch(3)
    tables_analyze(models=[Agency])
    assert statistics_stale(models=[Agency], written=10) == []
    assert statistics_stale(models=[Agency], written=1000) == [Agency]
    assert statistics_stale(models=[Agency], written=0) == []
    tables_analyze(models=[Agency, Agency.history.model], planned_only=True)


@pytest.mark.parametrize("changes", [
    {},
    {"name": "x" * 256},
    {"name": ""},
    {"slug": "not a slug!"},
    {"name_zh": "局\x00"},  # a model field allows it (forms refuse it): passes both ways
    {"level": "ministry"},
    {"status": "retired"},
    {"timezone": "Mars/Olympus"},
    {"postcode": "73000"},
    {"website": "not a url"},
    {"version": -1},
])
def test_bulk_field_checks_find_what_clean_fields_finds_in_its_words(changes):
    """Every row still gets every check: values seen before and plain texts take a short path, the
    rest Django's own `field.clean`, so each error reads as before (the second, remembered, round too)."""
    from django.core.exceptions import ValidationError

    from agencies.resources import FieldChecks

    checks = FieldChecks(Agency)
    region = RegionFactory()
    for _round in range(2):
        values = {"slug": "test-checks", "name": "Quokka Bureau", "name_zh": "袋鼠局", "level": "county_bureau",
                  "timezone": "Asia/Shanghai", "status": "draft", **changes}
        agency = Agency(region=region, **values)
        twin = Agency(**{field.attname: getattr(agency, field.attname) for field in Agency._meta.concrete_fields})
        try:
            twin.clean_fields(exclude={"region"})
            expected = {}
        except ValidationError as error:
            expected = error.message_dict
        errors = checks.clean_fields(agency, {"region"})
        found = ValidationError(errors).message_dict if errors else {}
        assert found == expected
