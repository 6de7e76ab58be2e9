import re

import pytest
from django.urls import reverse

from agencies.models import Agency
from tests.factories import AgencyFactory, AgencyNameFactory, DutyFactory, RegionFactory
from tests.site.conftest import GANSU, GUIYANG, HUAIHUA, WENZHOU, ZHEJIANG

HOME = reverse("site:home")


def result_slugs(response) -> list[str]:
    return re.findall(r'<h3 class="card__title"><a href="/agencies/([\w-]+)/"', response.content.decode())


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Huaihua", {HUAIHUA}),
        ("怀化", {HUAIHUA}),
        ("Dunhuang Award", {GANSU}),
        ("seismic", {GUIYANG}),
        ("温州", {WENZHOU}),
        ("Zhejiang", {ZHEJIANG, WENZHOU}),  # Wenzhou lies in Zhejiang
    ],
)
def test_search_finds_the_right_bureaus(seed, client, query, expected):
    response = client.get(HOME, {"q": query})
    assert response.status_code == 200
    assert set(result_slugs(response)) == expected


def test_foreign_experts_finds_gansu_by_its_other_name_and_shows_why(seed, client):
    response = client.get(HOME, {"q": "foreign experts"})
    body = response.content.decode()
    assert GANSU in result_slugs(response)
    assert "Also known as:" in body
    assert "Gansu Provincial <mark>Foreign Experts</mark> Bureau" in body


def test_duty_match_shows_a_highlighted_snippet_with_the_published_label(seed, client):
    body = client.get(HOME, {"q": "seismic"}).content.decode()
    assert "Duty (17) 3: " in body
    assert "Transfer the responsibility of <mark>seismic</mark> prevention" in body


def test_chinese_query_highlights_the_chinese_name(seed, client):
    body = client.get(HOME, {"q": "怀化"}).content.decode()
    assert '<span lang="zh-Hans"><mark>怀化</mark>市科学技术局</span>' in body


def test_no_results_page_says_so_and_offers_a_way_out(seed, client):
    response = client.get(HOME, {"q": "zzxq qqzzx"})
    body = response.content.decode()
    assert response.status_code == 200
    assert result_slugs(response) == []
    assert "0 bureaus found" in body
    assert "No bureau matches “zzxq qqzzx”" in body
    assert 'href="/regions/"' in body


def test_words_no_bureau_has_together_show_partial_matches_labelled_as_such(seed, client):
    response = client.get(HOME, {"q": "no such bureau anywhere"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "No bureau matches all of “no such bureau anywhere”. These match some of the words:" in body
    assert HUAIHUA in result_slugs(response)  # "Bureau" is in its name


def test_home_without_query_lists_every_published_bureau_but_no_draft(seed, client):
    AgencyFactory(status=Agency.Status.DRAFT, name="Hidden Draft Bureau")
    response = client.get(HOME)
    assert sorted(result_slugs(response)) == sorted([GANSU, GUIYANG, HUAIHUA, WENZHOU, ZHEJIANG])
    assert "Hidden Draft Bureau" not in response.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"region": "330000"}, {ZHEJIANG, WENZHOU}),
        ({"region": "330300"}, {WENZHOU}),
        ({"level": "provincial_department"}, {ZHEJIANG, GANSU}),
        ({"category": "foreign-talent", "region": "620000"}, {GANSU}),
        ({"q": "experts", "level": "municipal_bureau", "region": "330000"}, {WENZHOU}),
    ],
)
def test_filters_narrow_the_results(seed, client, params, expected):
    assert set(result_slugs(client.get(HOME, params))) == expected


def test_open_now_keeps_only_bureaus_open_at_this_moment(seed, client, freeze):
    freeze(2026, 11, 24, 9, 0)  # a Tuesday morning: Gansu and Huaihua (winter hours) are open
    response = client.get(HOME, {"open_now": "true"})
    assert set(result_slugs(response)) == {GANSU, HUAIHUA}
    assert "Open now · closes 12:00" in response.content.decode()


def test_open_now_never_lists_bureaus_whose_hours_are_unknown(seed, client, freeze):
    freeze(2026, 11, 24, 13, 0)  # lunch break everywhere
    assert result_slugs(client.get(HOME, {"open_now": "true"})) == []


def test_result_cards_show_status_without_relying_on_colour(seed, client, freeze):
    freeze(2026, 11, 24, 13, 0)
    body = client.get(HOME, {"q": "Zhejiang Provincial"}).content.decode()
    icon = '<span class="status__icon" aria-hidden="true">?</span>'
    assert f'<p class="status status--unknown">{icon} Office hours not published</p>' in body


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x" * 10_000},
        {"region": "not-a-code"},
        {"level": "emperor"},
        {"category": "<script>"},
        {"ordering": "password"},
        {"open_at": "yesterday-ish"},
        {"modified_since": "99999-01-01"},
        {"q": "nul\x00byte"},
        {"region": "33\x000000"},
        {"category": "\x00"},
        {"level": "\x00"},
    ],
)
def test_invalid_filters_give_a_400_page_with_the_error_not_a_500(seed, client, params):
    response = client.get(HOME, params)
    body = response.content.decode()
    assert response.status_code == 400
    assert 'class="error-summary"' in body
    assert result_slugs(response) == []
    assert "<script>" not in body.split("<body>")[1]


@pytest.mark.parametrize(
    "query",
    ['<script>alert(1)</script>', "' OR 1=1 --", '"; DROP TABLE agencies_agency; --', "%_\\", "a&b<i>c</i>"],
)
def test_hostile_queries_are_searched_literally_and_escaped(seed, client, query):
    response = client.get(HOME, {"q": query, "page": "-1'"})
    body = response.content.decode()
    assert response.status_code == 200
    # Their words are searched as words: at most some bureaus match some of them, labelled so.
    assert not result_slugs(response) or "These match some of the words" in body
    assert "<script>alert" not in body and "<i>c</i>" not in body
    assert Agency.objects.count() == 5


def test_search_matches_html_metacharacters_and_escapes_them_in_the_snippet(seed, client):
    agency = AgencyFactory(name="Bureau <b>Bold</b> & Co")
    response = client.get(HOME, {"q": "<b>Bold"})
    assert result_slugs(response) == [agency.slug]
    assert "Bureau &lt;<mark>b</mark>&gt;<mark>Bold</mark>&lt;/<mark>b</mark>&gt; &amp; Co" in response.content.decode()


def _experts_bureaus(region, count: int) -> None:
    for n in range(count):
        agency = AgencyFactory(region=region, hours=True, contacts=2, name=f"Experts bureau {n}")
        AgencyNameFactory(agency=agency, name=f"Foreign Experts Office {n}")
        for position in range(1, 4):
            DutyFactory(agency=agency, position=position, text="Introduce foreign experts.")


def test_search_page_runs_a_constant_number_of_queries(db, client, django_assert_max_num_queries):
    region = RegionFactory(code="330000", name="Zhejiang")
    params = {"q": "experts", "region": "330000", "category": "", "open_now": ""}
    _experts_bureaus(region, 2)
    # The engine reads the synonyms (cached after) and asks "any full match?"; results also load
    # contacts and duty texts, to say why each bureau matched. The index's window and the region list
    # are read once per content version (remembered after).
    with django_assert_max_num_queries(19) as small:
        client.get(HOME, params)
    _experts_bureaus(region, 23)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(HOME, params)
    assert len(result_slugs(response)) == 20  # 25 results, 20 per page


@pytest.mark.parametrize(
    ("text", "query", "expected"),
    [
        ("short text", "text", "short text"),
        ("alpha " * 20 + "needle " + "omega " * 20, "needle",
         "…" + "alpha " * 11 + "needle" + " omega" * 11 + "…"),
        ("科" * 100 + "地震" + "技" * 100, "地震", "…" + "科" * 70 + "地震" + "技" * 70 + "…"),
    ],
)
def test_snippets_cut_long_texts_around_the_match_at_word_boundaries(text, query, expected):
    from portal.search import snippet

    assert snippet(text, query) == expected


def test_region_filter_offers_provinces_and_cities_and_keeps_a_county_chosen_by_url(seed, client):
    from agencies.models import Region

    county = Region.objects.create(code="330302", name="Lucheng", name_zh="鹿城区", level=Region.Level.COUNTY,
                                   parent=Region.objects.get(code="330300"))
    body = client.get(HOME).content.decode()
    zhejiang = re.search(r'<optgroup label="Zhejiang">(.*?)</optgroup>', body).group(1)
    assert zhejiang == ('<option value="330000">All of Zhejiang</option><option value="330100">Hangzhou</option>'
                        '<option value="330300">Wenzhou</option>')
    assert county.code not in body
    body = client.get(HOME, {"region": county.code}).content.decode()
    assert '<option value="330302" selected>Wenzhou › Lucheng</option>' in body


def test_region_filter_speaks_the_visitor_language(seed, zh_client):
    body = zh_client.get(HOME, {"region": "431200"}).content.decode()
    assert '<optgroup label="湖南省"><option value="430000">湖南省全部</option>' in body
    assert '<option value="431200" selected>怀化市</option>' in body
