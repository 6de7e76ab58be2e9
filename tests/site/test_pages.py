import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from agencies.models import Agency
from tests.factories import AgencyFactory, DutyCategoryFactory, DutyFactory
from tests.site.conftest import GANSU, GUIYANG, HUAIHUA, WENZHOU, ZHEJIANG


def test_compare_matrix_marks_who_carries_each_category_and_links_to_the_duty(seed, client):
    body = client.get(reverse("site:compare")).content.decode()
    awards = re.search(r'<tr><th scope="row" lang="en">Awards</th>(.*?)</tr>', body, re.S).group(1)
    cells = re.findall(r"<td>(.*?)</td>", awards, re.S)
    assert len(cells) == 5
    gansu_cell = next(cell for cell in cells if GANSU in cell)
    assert re.search(rf'href="/agencies/{GANSU}/#duty-\d+">', gansu_cell)
    assert "1 duty" in gansu_cell
    seismic = re.search(r'<tr><th scope="row" lang="en">Adjustment of responsibilities</th>(.*?)</tr>', body, re.S)
    assert '<span class="visually-hidden">none</span>' in seismic.group(1)  # not shown by colour alone


def test_compare_cell_link_reaches_the_duty_anchor_on_the_profile(seed, client):
    body = client.get(reverse("site:compare"), {"region": "620000"}).content.decode()
    anchor = re.search(rf'href="/agencies/{GANSU}/#(duty-\d+)"', body).group(1)
    profile = client.get(f"/agencies/{GANSU}/").content.decode()
    assert f'<li id="{anchor}">' in profile


@pytest.mark.parametrize(
    ("params", "expected"),
    [({"region": "330000"}, {ZHEJIANG, WENZHOU}), ({"level": "municipal_bureau"}, {WENZHOU, HUAIHUA, GUIYANG})],
)
def test_compare_is_filterable_by_region_and_level(seed, client, params, expected):
    body = client.get(reverse("site:compare"), params).content.decode()
    header = re.search(r"<thead>(.*?)</thead>", body, re.S).group(1)
    assert set(re.findall(r'href="/agencies/([\w-]+)/"', header)) == expected


@pytest.mark.parametrize("params", [{"level": "<b>x</b>"}, {"region": "\x00"}, {"region": "33\x000000"}])
def test_compare_with_invalid_filter_is_a_400_page(seed, client, params):
    response = client.get(reverse("site:compare"), params)
    body = response.content.decode()
    assert response.status_code == 400
    assert 'class="error-summary"' in body and "<table" not in body  # no matrix for a filter it cannot apply
    assert "<b>x</b>" not in body


def test_compare_with_a_nonsense_page_number_shows_the_first_page(seed, client):
    response = client.get(reverse("site:compare"), {"page": "\x00'; --"})
    assert response.status_code == 200 and '<table class="matrix"' in response.content.decode()


def test_compare_runs_a_constant_number_of_queries(db, client, django_assert_max_num_queries):
    category = DutyCategoryFactory()
    AgencyFactory(duties=2)
    with django_assert_max_num_queries(10) as baseline:
        client.get(reverse("site:compare"))
    for _ in range(15):
        agency = AgencyFactory(duties=5)
        DutyFactory(agency=agency, position=9, categories=[category])
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        client.get(reverse("site:compare"))


def test_regions_page_lists_provinces_with_their_cities_and_counts(seed, client):
    body = client.get(reverse("site:regions")).content.decode()
    zhejiang = re.search(r'<a href="/regions/330000/" lang="en">Zhejiang</a>(.*?)</ul>', body, re.S).group(1)
    assert "2 bureaus" in zhejiang
    assert '<a href="/regions/330300/" lang="en">Wenzhou</a> <span class="count">(1)</span>' in zhejiang


def test_region_page_lists_bureaus_of_the_province_and_its_cities(seed, client):
    body = client.get(reverse("site:region", kwargs={"code": "330000"})).content.decode()
    assert set(re.findall(r'<h3 class="card__title"><a href="/agencies/([\w-]+)/"', body)) == {ZHEJIANG, WENZHOU}
    assert '<a href="/regions/330300/" lang="en">Wenzhou</a>' in body


@pytest.mark.parametrize("code", ["999999", "abc", "<script>", "%00", "33%000000"])
def test_unknown_region_is_404(seed, client, code):
    assert client.get(f"/regions/{code}/").status_code == 404


def test_sitemap_lists_published_real_bureaus_and_pages(seed, client):
    AgencyFactory(status=Agency.Status.DRAFT, slug="draft-bureau")
    synthetic = AgencyFactory(slug="synthetic-bureau")
    Agency.objects.filter(pk=synthetic.pk).update(is_synthetic=True)
    body = client.get("/sitemap.xml").content.decode()
    assert f"<loc>http://testserver/agencies/{HUAIHUA}/</loc>" in body
    assert "<loc>http://testserver/compare/</loc>" in body and "<loc>http://testserver/regions/330000/</loc>" in body
    assert "draft-bureau" not in body and "synthetic-bureau" not in body


def test_pages_have_canonical_urls_and_meaningful_titles(seed, client):
    body = client.get(f"/agencies/{HUAIHUA}/?utm_source=x").content.decode()
    assert f'<link rel="canonical" href="http://testserver/agencies/{HUAIHUA}/">' in body
    assert "<title>Huaihua Municipal Science and Technology Bureau · Bureau portal</title>" in body
    assert "<title>“seismic” – search · Bureau portal</title>" in client.get("/?q=seismic").content.decode()


def test_404_page_is_in_the_site_style_and_language(db, client, settings):
    settings.DEBUG = False
    response = client.get("/zh-hans/no/such/page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="zh-Hans">' in body and "<h1>页面不存在</h1>" in body
    assert 'href="/static/portal/site.css"' in body and 'role="search"' in body


def test_500_page_renders_on_its_own_in_both_languages():
    for language, heading in [("en", "Something went wrong"), ("zh-hans", "出错了")]:
        with translation.override(language):
            body = render_to_string("500.html")
        assert f"<h1>{heading}</h1>" in body and "<style>" in body


def test_server_errors_show_the_500_page(db, client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("portal.views.region_choices", broken)
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 500
    assert "<h1>Something went wrong</h1>" in response.content.decode()


def test_region_pages_run_a_constant_number_of_queries(db, client, django_assert_max_num_queries):
    from tests.factories import RegionFactory

    province = RegionFactory(code="330000", name="Zhejiang")
    city = RegionFactory(code="330100", name="Hangzhou", level="prefecture", parent=province)
    AgencyFactory(region=city, hours=True)
    with django_assert_max_num_queries(10) as list_baseline:
        client.get(reverse("site:regions"))
    with django_assert_max_num_queries(10) as detail_baseline:
        client.get(reverse("site:region", kwargs={"code": "330000"}))
    for n in range(10):
        RegionFactory(code=f"3302{n:02d}", name=f"City {n}", level="prefecture", parent=province)
        AgencyFactory(region=city, hours=True, contacts=2)
    with django_assert_max_num_queries(len(list_baseline.captured_queries)):
        client.get(reverse("site:regions"))
    with django_assert_max_num_queries(len(detail_baseline.captured_queries)):
        body = client.get(reverse("site:region", kwargs={"code": "330000"})).content.decode()
    assert "11 bureaus" in body


@pytest.mark.parametrize("url", ["/", f"/agencies/{HUAIHUA}/", "/compare/", "/regions/", "/no/such/page/"])
def test_every_asset_is_self_hosted(seed, client, url):
    body = client.get(url).content.decode()
    assets = re.findall(r'<(?:link|script|img)[^>]*(?:href|src)="([^"]+)"', body)
    assert assets, "the page loads its stylesheet"
    assert [asset for asset in assets if asset.startswith(("http:", "https:", "//"))
            and not asset.startswith("http://testserver/")] == []


def test_head_requests_are_answered_like_get(seed, client):
    for url in ["/", f"/agencies/{HUAIHUA}/", "/compare/", "/regions/"]:
        response = client.head(url)
        assert response.status_code == 200 and response.content == b""


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_the_admin(db, client):
    body = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in body and "Disallow: /admin/" in body


def test_filters_fold_away_after_a_plain_search_but_stay_open_when_in_use(seed, client):
    # Folded on the home page too (a phone sees results first); site.js unfolds them on wide screens.
    home = client.get("/").content.decode()
    assert '<details class="filters-panel" data-open-when-wide>' in home and "{#" not in home
    assert '<details class="filters-panel">' in client.get("/", {"q": "Huaihua"}).content.decode()
    body = client.get("/", {"q": "Huaihua", "level": "municipal_bureau"}).content.decode()
    assert '<details class="filters-panel" open>' in body and "Filters (in use)" in body


def test_city_page_lists_its_counties_and_their_bureaus(seed, client):
    from agencies.models import Region

    county = Region.objects.create(code="330302", name="Lucheng", name_zh="鹿城区", level=Region.Level.COUNTY,
                                   parent=Region.objects.get(code="330300"))
    bureau = AgencyFactory(region=county, level=Agency.Level.COUNTY_BUREAU)
    body = client.get(reverse("site:region", kwargs={"code": "330300"})).content.decode()
    assert '<a href="/regions/330302/" lang="en">Lucheng</a>' in body
    assert set(re.findall(r'<h3 class="card__title"><a href="/agencies/([\w-]+)/"', body)) == {WENZHOU, bureau.slug}
    crumbs = re.search(r'<nav class="breadcrumb".*?</nav>', client.get("/regions/330302/").content.decode(), re.S)
    assert [name for name in re.findall(r">([^<>]+)</(?:a|span)>", crumbs.group(0))] == [
        "Regions", "Zhejiang", "Wenzhou", "Lucheng"]
