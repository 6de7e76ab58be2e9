"""The seed fixtures, fact by fact, against the five published pages."""
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from agencies.models import Agency, Contact, OfficeHours, Region
from duties.models import Duty, DutyCategory

# ../shared/seeds beside the checkout (or beside a folder of checkouts, as for parallel clones).
_HERE = Path(__file__).resolve()
SEEDS = next((d / "shared" / "seeds" for d in _HERE.parents[2:] if (d / "shared" / "seeds").is_dir()),
             _HERE.parents[3] / "shared" / "seeds")
pytestmark = pytest.mark.usefixtures("seed")

ZJ = "zhejiang-department-of-science-and-technology"
WZ = "wenzhou-science-and-technology-bureau"
GS = "gansu-department-of-science-and-technology"
HH = "huaihua-science-and-technology-bureau"
GY = "guiyang-bureau-of-science-and-technology"


def test_all_five_bureaus_are_published_with_official_chinese_names():
    names = dict(Agency.objects.published().values_list("slug", "name_zh"))
    assert names == {ZJ: "浙江省科学技术厅", WZ: "温州市科学技术局", GS: "甘肃省科学技术厅",
                     HH: "怀化市科学技术局", GY: "贵阳市科学技术局"}


@pytest.mark.parametrize(("slug", "count"), [(ZJ, 14), (WZ, 15), (GS, 13), (HH, 16), (GY, 18)])
def test_top_level_duty_counts(slug, count):
    assert Duty.objects.filter(agency__slug=slug, parent__isnull=True).count() == count


def test_wenzhou_item_15_keeps_its_published_sub_labels_in_order():
    item = Duty.objects.get(agency__slug=WZ, parent__isnull=True, label="(15)")
    labels = list(item.children.order_by("position").values_list("label", flat=True))
    assert labels == ["(i)", "(ii)", "(iii)", "(ix)", "(v)", "(xi)"]


def test_guiyang_item_17_has_sub_items_1_to_4():
    item = Duty.objects.get(agency__slug=GY, parent__isnull=True, label="(17)")
    assert item.text == "Adjustment of responsibilities"
    assert list(item.children.values_list("label", flat=True)) == ["1.", "2.", "3.", "4."]
    assert "seismic prevention" in item.children.get(label="3.").text


def test_huaihua_labels_are_published_as_numbers_with_dots():
    labels = list(Duty.objects.filter(agency__slug=HH, parent__isnull=True).order_by("position")
                  .values_list("label", flat=True))
    assert labels == [f"{n}." for n in range(1, 17)]


def test_every_duty_is_categorized_and_every_category_has_a_chinese_name():
    assert not Duty.objects.filter(categories__isnull=True).exists()
    assert not DutyCategory.objects.filter(name_zh="").exists()
    assert [c.slug for c in Duty.objects.get(agency__slug=GS, label="(13)").categories.all()] == ["awards"]


@pytest.mark.parametrize("slug, label, quote", [
    (GS, "(2)", "Foster the development of enterprise technological innovation capabilities"),
    (HH, "2.", "advance the technological innovation capacity building of enterprises"),
    (GY, "(2)", "increase the scientific and technological innovation capabilities of enterprises"),
])
def test_reform_items_that_speak_of_enterprise_innovation_carry_that_category_too(slug, label, quote):
    duty = Duty.objects.get(agency__slug=slug, label=label, parent=None)
    assert quote in duty.text
    assert {"reform-incentives", "enterprise-innovation"} <= {c.slug for c in duty.categories.all()}


def test_wenzhou_names_no_supervising_agency_because_its_page_names_none():
    # The region hierarchy says Wenzhou is in Zhejiang; its page never says who supervises the bureau.
    assert Agency.objects.get(slug=WZ).parent is None
    assert not Agency.objects.filter(parent__isnull=False).exists()


@pytest.mark.skipif(not SEEDS.exists(), reason="../shared/seeds is not beside this checkout")
def test_every_duty_text_appears_verbatim_on_its_page():
    pages = {path.name: path.read_text(encoding="utf-8") for path in SEEDS.glob("*.txt")}
    for agency in Agency.objects.prefetch_related("sources", "duties"):
        page = pages[Path(agency.sources.get().reference).name]
        for duty in agency.duties.all():
            assert duty.text in page, (agency.slug, duty.label)
            assert duty.label in page, (agency.slug, duty.label)


@pytest.mark.parametrize(
    ("slug", "contacts"),
    [
        (ZJ, [("supervision", "Supervision Telephone", "(0571) 87056409", "+8657187056409"),
              ("email", "Email", "webmaster@zjinfo.gov.cn", ""),
              ("enquiries", "Public Telephone", "(0571)87054007", "+8657187054007"),
              ("complaints", "Complaint Telephone", "(0571)87056409", "+8657187056409"),
              ("website", "Website", "http://kjt.zj.gov.cn", "")]),
        (GS, [("office", "tel", "00-86-0931-8834621", "+869318834621"),
              ("office", "Contact (Department Office)", "0931-8834621", "+869318834621")]),
        (HH, [("office", "Tel", "0745-2712900", "+867452712900")]),
        (WZ, []),
        (GY, []),
    ],
)
def test_contacts_as_published_with_e164(slug, contacts):
    rows = Contact.objects.filter(agency__slug=slug).order_by("position")
    assert [(c.kind, c.label, c.value, c.e164) for c in rows] == contacts
    for contact in rows:
        contact.full_clean()  # the fixture agrees with the model's own normalization


def test_office_hours_gansu_weekdays_with_lunch_break():
    rows = OfficeHours.objects.filter(agency__slug=GS).order_by("opens")
    assert [(h.weekdays, f"{h.opens:%H:%M}", f"{h.closes:%H:%M}", h.valid_from) for h in rows] == [
        ("12345", "08:30", "12:00", ""), ("12345", "14:30", "18:00", "")]


def test_office_hours_huaihua_summer_and_winter_with_interpretation_noted():
    rows = OfficeHours.objects.filter(agency__slug=HH).order_by("valid_from", "opens")
    assert [(h.season_name, h.valid_from, h.valid_through, f"{h.opens:%H:%M}", f"{h.closes:%H:%M}")
            for h in rows] == [
        ("Summer", "07-01", "09-30", "08:00", "12:00"), ("Summer", "07-01", "09-30", "15:00", "18:00"),
        ("Winter", "10-01", "06-30", "08:00", "12:00"), ("Winter", "10-01", "06-30", "14:30", "17:30")]
    assert "Monday–Friday" in Agency.objects.get(slug=HH).hours_notes


@pytest.mark.parametrize("slug", [ZJ, WZ, GY])
def test_bureaus_that_publish_no_hours_have_none(slug):
    assert not OfficeHours.objects.filter(agency__slug=slug).exists()


def test_agency_facts():
    zj = Agency.objects.get(slug=ZJ)
    assert zj.postcode == "310006"
    assert zj.address.startswith("No. 33, West Huancheng Road, Hangzhou")
    assert (zj.region.code, zj.seat.code, zj.level) == ("330000", "330100", "provincial_department")
    wz = Agency.objects.get(slug=WZ)
    assert wz.parent is None and wz.region.parent.code == "330000"  # its page names no supervisor
    gs = Agency.objects.get(slug=GS)
    assert gs.rank == "director-general level"
    assert list(gs.other_names.values_list("name", flat=True)) == [
        "Gansu Provincial Foreign Experts Bureau",
        "Lanzhou-Baiyin National Independent Innovation Demonstration Zone Office"]
    assert (gs.region.code, gs.seat.code) == ("620000", "620100")
    assert Agency.objects.get(slug=HH).region.code == "431200"
    assert Agency.objects.get(slug=GY).region.code == "520100"
    assert all(agency.timezone == "Asia/Shanghai" for agency in Agency.objects.all())
    assert not Agency.objects.filter(is_synthetic=True).exists()


def test_regions_and_hierarchy():
    expected = {"330000": None, "330100": "330000", "330300": "330000", "620000": None, "620100": "620000",
                "430000": None, "431200": "430000", "520000": None, "520100": "520000"}
    assert {r.code: r.parent.code if r.parent else None for r in Region.objects.select_related("parent")} == expected
    assert Region.objects.get(code="431200").name_zh == "怀化市"


@pytest.mark.parametrize(
    ("slug", "page_date", "translator", "origin"),
    [(ZJ, "2020-09-01", "", ""), (HH, "2024-01-05", "Yu Jie", "http://www.huaihua.gov.cn/"),
     (GY, "2020-10-21", "", ""), (WZ, None, "", ""), (GS, None, "", "")],
)
def test_sources_record_page_date_translator_and_origin(slug, page_date, translator, origin):
    source = Agency.objects.get(slug=slug).sources.get()
    assert (str(source.page_date) if source.page_date else None, source.translator, source.origin) == (
        page_date, translator, origin)
    assert source.url == ""  # no seed page's own address is known
    assert re.match(r"shared/seeds/00\d_[0-9a-f]{16}\.txt$", source.reference)


def test_loading_again_keeps_what_staff_changed():
    Agency.objects.filter(slug=GY).update(name="Edited by staff")
    call_command("load_seed", verbosity=0)
    assert Agency.objects.get(slug=GY).name == "Edited by staff"
    assert Agency.objects.count() == 5


def test_seed_rows_start_with_one_history_entry_so_edits_can_be_reverted():
    gansu = Agency.objects.get(slug=GS)
    assert gansu.history.count() == 1
    assert Contact.history.filter(agency_id=gansu.pk).count() == 2
    assert Duty.history.filter(agency_id=gansu.pk).count() == 13


@pytest.mark.skipif(not SEEDS.exists(), reason="../shared/seeds is not beside this checkout")
def test_hours_as_published_and_source_lines_are_the_pages_words():
    for slug, prefix in [(GS, "002"), (HH, "003")]:
        page = " ".join(next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8").split())
        quoted = Agency.objects.get(slug=slug).hours_as_published
        assert quoted and quoted in page
    huaihua = Agency.objects.get(slug=HH).sources.get()
    assert (huaihua.url, huaihua.origin) == ("", "http://www.huaihua.gov.cn/")
    assert "Source:" + huaihua.origin in next(SEEDS.glob("003_*.txt")).read_text(encoding="utf-8")
