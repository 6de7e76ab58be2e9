"""Import and export: natural keys, round trips, all or nothing, encodings, formula escaping."""
import datetime as dt

import pytest

from agencies.services import dataset_read, export_dataset, import_dataset, resource_classes
from tests.factories import PublicHolidayFactory, SpecialDayFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("resource_name", list(resource_classes()))
@pytest.mark.parametrize("file_format", ["csv", "xlsx", "json"])
def test_export_then_import_reports_every_row_unchanged(seed, own_agency, resource_name, file_format):
    SpecialDayFactory(agency=own_agency, date=dt.date(2027, 3, 2), kind="hours", opens=dt.time(9), closes=dt.time(11))
    SpecialDayFactory(agency=own_agency, date=dt.date(2027, 3, 3), reason="-moved office")
    PublicHolidayFactory(name="=HYPERLINK(evil)")
    data = export_dataset(resource_name=resource_name, file_format=file_format)
    dataset = dataset_read(data=data, file_format=file_format)
    report = import_dataset(resource_name=resource_name, dataset=dataset)
    assert report.errors == []
    assert (report.new, report.updated, report.skipped) == (0, 0, 0)
    assert report.unchanged == len(dataset)
