"""The agencies list as CSV for spreadsheets: every matching agency, formula injection defused."""
import csv
import io

import pytest

from api.renderers import escape_cell
from tests.factories import AgencyFactory

API = "/api/v1"


def read_csv(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")  # Excel needs the BOM to read UTF-8 Chinese
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=HYPERLINK(\"http://evil\")", "'=HYPERLINK(\"http://evil\")"),
        ("+86 571 8705 6409", "'+86 571 8705 6409"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTAB", "'\tTAB"),
        ("\rCR", "'\rCR"),
        ("浙江省科学技术厅", "浙江省科学技术厅"),
        ("No. 33 = fine in the middle", "No. 33 = fine in the middle"),
        (None, ""),
    ],
)
def test_escape_cell(value, cell):
    assert escape_cell(value) == cell


def test_csv_lists_every_matching_agency_without_paging(seed, client):
    response = client.get(f"{API}/agencies/", {"format": "csv", "region": "330000", "page_size": 1})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="agencies.csv"'
    rows = read_csv(response)
    assert [row["slug"] for row in rows] == [
        "wenzhou-science-and-technology-bureau", "zhejiang-department-of-science-and-technology",
    ]
    assert rows[1] == {
        "slug": "zhejiang-department-of-science-and-technology",
        "name": "Zhejiang Provincial Department of Science and Technology",
        "name_zh": "浙江省科学技术厅",
        "level": "provincial_department",
        "region_code": "330000",
        "region_name": "Zhejiang",
        "region_name_zh": "浙江省",
        "parent": "",
        "website": "http://kjt.zj.gov.cn",
        "address": "No. 33, West Huancheng Road, Hangzhou (Building 4, Provincial Administrative Center )",
        "postcode": "310006",
        "last_verified": "",
        "updated_at": "2026-11-22T00:00:00+00:00",
        "url": "http://testserver/api/v1/agencies/zhejiang-department-of-science-and-technology/",
        "web_url": "http://testserver/agencies/zhejiang-department-of-science-and-technology/",
    }


def test_csv_defuses_formulas_from_the_data(db, client):
    AgencyFactory(slug="formula", name="=cmd|' /C calc'!A0", address="@SUM(1+1)", name_zh="-1")
    row = read_csv(client.get(f"{API}/agencies/", {"format": "csv"}))[0]
    assert (row["name"], row["address"], row["name_zh"]) == ("'=cmd|' /C calc'!A0", "'@SUM(1+1)", "'-1")


def test_csv_by_accept_header(seed, client):
    response = client.get(f"{API}/agencies/", HTTP_ACCEPT="text/csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert len(read_csv(response)) == 5


def test_csv_runs_constant_queries(db, client, django_assert_max_num_queries):
    for _ in range(40):
        AgencyFactory()
    with django_assert_max_num_queries(2):
        assert len(read_csv(client.get(f"{API}/agencies/", {"format": "csv"}))) == 40


def test_csv_is_only_for_the_list(seed, client):
    response = client.get(f"{API}/agencies/gansu-department-of-science-and-technology/", {"format": "csv"})
    assert response.status_code == 400
    assert response.json() == {"format": ["Choose one of: json."]}
