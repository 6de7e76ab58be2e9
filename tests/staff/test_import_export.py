"""Import and export: natural keys, round trips, all or nothing, encodings, formula escaping."""
import datetime as dt

import pytest

from agencies.models import Agency, Contact
from agencies.services import dataset_read, export_dataset, import_dataset, resource_classes
from duties.models import Duty
from tests.factories import PublicHolidayFactory, SpecialDayFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "json"])
def test_export_then_import_reports_every_row_unchanged(seed, own_agency, file_format):
    SpecialDayFactory(agency=own_agency, date=dt.date(2027, 3, 2), kind="hours", opens=dt.time(9), closes=dt.time(11))
    SpecialDayFactory(agency=own_agency, date=dt.date(2027, 3, 3), reason="-moved office")
    PublicHolidayFactory(name="=HYPERLINK(evil)")
    for resource_name in resource_classes():
        data = export_dataset(resource_name=resource_name, file_format=file_format)
        dataset = dataset_read(data=data, file_format=file_format)
        assert len(dataset) > 0, resource_name
        report = import_dataset(resource_name=resource_name, dataset=dataset)
        assert report.errors == [], resource_name
        assert (report.new, report.updated, report.skipped, report.unchanged) == (0, 0, 0, len(dataset)), resource_name


def test_exported_files_carry_natural_keys_not_database_ids(seed, own_agency):
    contacts = export_dataset(resource_name="contacts", file_format="json").decode()
    assert '"agency": "gansu-department-of-science-and-technology"' in contacts
    assert '"id"' not in contacts
    agencies = export_dataset(resource_name="agencies", file_format="csv").decode("utf-8-sig")
    assert agencies.splitlines()[0].startswith("slug,")
    assert ",620000," in agencies  # region code, not a primary key
    duties = export_dataset(resource_name="duties", file_format="csv").decode("utf-8-sig")
    assert f"{own_agency.slug},,1,(1)," in duties


def test_files_exported_here_import_into_an_installation_without_these_agencies(wenzhou_under_zhejiang):
    categories_before = sorted(Duty.objects.values_list("agency__slug", "parent__position", "position",
                                                        "categories__slug"), key=str)

    files = {name: export_dataset(resource_name=name, file_format="csv") for name in ["agencies", "contacts", "duties"]}
    counts = {"agencies": Agency.objects.count(), "contacts": Contact.objects.count(), "duties": Duty.objects.count()}
    Duty.objects.filter(parent__isnull=False).delete()
    Duty.objects.all().delete()
    Agency.objects.filter(parent__isnull=False).update(parent=None)
    Agency.objects.all().delete()
    for name, data in files.items():
        report = import_dataset(resource_name=name, dataset=dataset_read(data=data, file_format="csv"))
        assert report.errors == [] and report.new == counts[name], name
    wenzhou = Agency.objects.get(slug="wenzhou-science-and-technology-bureau")
    assert wenzhou.parent.slug == "zhejiang-department-of-science-and-technology"
    assert Duty.objects.filter(parent__isnull=False).exists()
    # Several categories per duty travel as one cell of slugs and come back the same.
    assert sorted(Duty.objects.values_list("agency__slug", "parent__position", "position", "categories__slug"),
                  key=str) == categories_before


def test_an_import_loads_only_the_rows_its_file_names_not_the_whole_table(seed):
    """Memory follows the file, not the database: 2 rows must not instantiate 40 other agencies."""
    from django.db.models.signals import post_init

    from tests.factories import AgencyFactory

    AgencyFactory.create_batch(40)
    data = export_dataset(resource_name="agencies", file_format="csv")
    dataset = dataset_read(data=data, file_format="csv")
    named = dataset.subset(rows=[i for i, row in enumerate(dataset.dict) if row["slug"].startswith("gansu")])
    loaded = []

    def count(sender, instance, **kwargs):
        loaded.append(instance)

    post_init.connect(count, sender=Agency)
    try:
        report = import_dataset(resource_name="agencies", dataset=named)
    finally:
        post_init.disconnect(count, sender=Agency)
    assert report.errors == [] and report.unchanged == 1
    assert len(loaded) < 10, f"{len(loaded)} agencies instantiated for a one-row file"
