"""The engine on the site's search page, compare page and the API: suggestions, partial matches,
why-it-matched, ordering, bad input."""
import pytest
from django.urls import reverse

from tests.search.judgements import GANSU, GUIYANG, HUAIHUA, WENZHOU, ZHEJIANG
from tests.site.test_search import result_slugs

HOME = reverse("site:home")
API = "/api/v1/agencies/"


def api(client, **params) -> dict:
    response = client.get(API, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_confident_typo_shows_the_corrected_results_and_says_so(seeded, client):
    body = client.get(HOME, {"q": "Huaihau"}).content.decode()
    assert "No bureau matches “Huaihau”. Showing results for <strong>Huaihua</strong>." in body
    assert result_slugs(client.get(HOME, {"q": "Huaihau"})) == [HUAIHUA]
    answer = api(client, q="Huaihau")
    assert (answer["suggestion"], answer["corrected"]) == ("Huaihua", True)
    assert [agency["slug"] for agency in answer["results"]] == [HUAIHUA]


def test_a_doubtful_suggestion_is_only_a_link(seeded, client):
    response = client.get(HOME, {"q": "怀华"})
    body = response.content.decode()
    assert 'Did you mean <a href="/?q=%E6%80%80%E5%8C%96" class="suggestion">怀化</a>?' in body
    assert result_slugs(response) == []
    answer = api(client, q="怀华")
    assert (answer["suggestion"], answer["corrected"], answer["count"]) == ("怀化", False, 0)


def test_words_found_nowhere_together_come_back_as_partial_matches(seeded, client):
    answer = api(client, q="seismic Hangzhou")  # Guiyang's duty, Zhejiang's seat
    assert answer["partial"] is True
    assert {agency["slug"] for agency in answer["results"]} == {GUIYANG, ZHEJIANG}


@pytest.mark.parametrize(
    ("query", "field", "highlighted"),
    [
        ("funding", "duty", "<mark>funds</mark>"),  # stems
        ("科技", "name", "<mark>科学技术</mark>"),  # synonym, in Chinese
        ("温州科技局", "name", "<mark>温州</mark>市<mark>科学技术局</mark>"),
        ("0931 8834621", "contact", "<mark>0931-8834621</mark>"),  # phone forms
        ("Lanzhou", "seat", "<mark>Lanzhou</mark>"),
        ("310006", "postcode", "<mark>310006</mark>"),
    ],
)
def test_matches_follow_the_engine(seeded, client, query, field, highlighted):
    matches = [match for agency in api(client, q=query, page_size=100)["results"] for match in agency["matches"]]
    assert any(match["field"] == field and highlighted in match["highlighted"] for match in matches), matches


def test_each_match_has_the_documented_fields(seeded, client):
    from api.agencies.serializers import MatchSerializer

    answer = api(client, q="Huaihua science")
    matches = [match for agency in answer["results"] for match in agency["matches"]]
    assert matches and all(set(match) == set(MatchSerializer().fields) for match in matches)
    assert all(isinstance(value, str) for match in matches for value in match.values())
    name = next(match for match in matches if match["field"] == "name")
    assert (name["label"], name["text"]) == ("Name", "Huaihua Municipal Science and Technology Bureau")


def test_site_shows_why_a_synonym_matched(seeded, client):
    body = client.get(HOME, {"q": "sci-tech Wenzhou"}).content.decode()
    assert "<mark>Science and Technology</mark>" in body


def test_relevance_is_the_default_order_and_ordering_overrides_it(seeded, client):
    ranked = [agency["slug"] for agency in api(client, q="Zhejiang science")["results"]]
    assert ranked[0] == ZHEJIANG
    by_name = [agency["slug"] for agency in api(client, q="Zhejiang science", ordering="-name")["results"]]
    assert by_name == [ZHEJIANG, WENZHOU]


@pytest.mark.parametrize("query", ["science", "科技", "Huaihua Wenzhou Gansu Guiyang Zhejiang"])
def test_an_ordering_orders_a_search_the_index_answered_whole(seeded, client, query):
    """The window holds every match here: the list is still ordered as asked, both ways."""
    ascending = [agency["name"] for agency in api(client, q=query, ordering="name")["results"]]
    descending = [agency["name"] for agency in api(client, q=query, ordering="-name")["results"]]
    assert len(ascending) >= 2 and ascending == sorted(ascending) and descending == ascending[::-1]


def test_duties_q_uses_the_engine(seeded, client):
    answer = client.get("/api/v1/duties/", {"q": "funding"}).json()
    assert answer["count"] >= 3
    assert all("fund" in duty["text"].lower() for duty in answer["results"])


def test_compare_page_searches_with_the_engine(seeded, client):
    body = client.get(reverse("site:compare"), {"q": "温州科技局"}).content.decode()
    assert f"/agencies/{WENZHOU}/" in body and f"/agencies/{GANSU}/" not in body


@pytest.mark.parametrize(
    "query", ['"', "NEAR(a b)", '"unbalanced', "***", "-", "^:", "AND OR NOT", "the of", "'", "&|!<->", "科技 \"",
              "(0571) 8705", "a" * 200],
)
def test_engine_syntax_and_odd_input_is_searched_as_text(seeded, client, query):
    assert client.get(HOME, {"q": query}).status_code == 200
    assert client.get(API, {"q": query}).status_code == 200
    assert client.get("/api/v1/duties/", {"q": query}).status_code == 200


def test_over_200_characters_stays_a_400(seeded, client):
    response = client.get(API, {"q": "a" * 201})
    assert response.status_code == 400 and "q" in response.json()
    assert client.get(HOME, {"q": "a" * 201}).status_code == 400


def test_a_common_word_beyond_the_cap_is_counted_as_more_than(seeded, client, monkeypatch):
    monkeypatch.setattr("portal.views.COUNT_CAP", 3)
    body = client.get(HOME, {"q": "science"}).content.decode()
    assert "More than 3 bureaus found" in body


# ---- the window: a common word is scored once per content version, its best matches listed --------

def test_a_word_matching_more_than_the_window_lists_its_best_and_says_capped(seeded, client, monkeypatch):
    full = api(client, q="science")["results"]
    assert len(full) == 5
    monkeypatch.setattr("search.backends.WINDOW", 2)
    from django.core.cache import cache

    from freshness.memo import forget_local

    cache.clear()  # windows remembered at the old size, and the answer (this process keeps a copy too)
    forget_local()
    answer = api(client, q="science")
    assert answer["capped"] is True and answer["count"] == 2
    # the best two of the full ranking, in its order
    assert [agency["slug"] for agency in answer["results"]] == [agency["slug"] for agency in full[:2]]
    body = client.get(HOME, {"q": "science"}).content.decode()
    assert "More than 2 bureaus found" in body or "More than 1 bureau" in body
    assert len(result_slugs(client.get(HOME, {"q": "science"}))) == 2


def test_with_a_filter_or_an_ordering_every_match_is_listed_beyond_the_window(seeded, client, monkeypatch):
    monkeypatch.setattr("search.backends.WINDOW", 2)
    by_name = api(client, q="science", ordering="name")
    assert by_name["capped"] is False and by_name["count"] == 5
    names = [agency["name"] for agency in by_name["results"]]
    assert names == sorted(names)
    provincial = api(client, q="science", level="provincial_department")
    assert provincial["capped"] is False
    assert {a["slug"] for a in provincial["results"]} == {GANSU, ZHEJIANG}


def test_a_word_within_the_window_is_not_capped_and_ranks_as_the_full_scoring(seeded, client):
    from agencies.models import Agency
    from search import backends
    from search.engine import search_agencies
    from search.query import parse
    from search.synonyms import synonym_groups

    for text in ("science", "Huaihua", "科技", "technology funds", "0931-8834621"):
        clauses = parse(text, synonym_groups()).clauses
        windowed = list(search_agencies(Agency.objects.published(), text).queryset.values_list("slug", flat=True))
        scored = backends.matching(Agency.objects.published(), clauses).order_by("-search_rank", "pk")
        assert set(windowed) == set(scored.values_list("slug", flat=True)), text
        assert windowed[:1] == list(scored.values_list("slug", flat=True)[:1]), text
    assert api(client, q="Huaihua")["capped"] is False


def test_a_window_never_outlives_a_write(seeded, client):
    from agencies.models import Agency

    assert api(client, q="Quasar")["count"] == 0  # remembered: nothing has it
    agency = Agency.objects.get(slug=HUAIHUA)
    agency.name = "Huaihua Quasar Bureau"
    agency.save()
    assert [a["slug"] for a in api(client, q="Quasar")["results"]] == [HUAIHUA]


def test_a_common_word_costs_a_bounded_number_of_queries(seeded, client, django_assert_max_num_queries):
    client.get(API, {"q": "science"})  # the window is scored once
    with django_assert_max_num_queries(8):
        assert api(client, q="science")["count"] == 5


def test_which_of_a_windows_bureaus_are_listed_is_remembered_until_the_next_write(seeded, client, settings):
    """The whole list's answer (which of the window's ids are published) is asked once per content
    version: the repeat reads no agency row but the page's, and unpublishing a bureau — a write that
    leaves every search document as it was — takes it out of the list at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from agencies.models import Agency
    from freshness.memo import forget_local

    settings.FRESHNESS_CACHE_RESPONSES = False  # the engine's own memory, not the stored answer
    assert api(client, q="science")["count"] == 5
    forget_local()  # another worker: the shared cache answers, not this process's copy
    with CaptureQueriesContext(connection) as queries:
        assert api(client, q="science")["count"] == 5
    assert len([q for q in queries.captured_queries if 'FROM "agencies_agency"' in q["sql"]]) == 1  # the page
    Agency.objects.filter(slug=HUAIHUA).update(status=Agency.Status.DRAFT)
    answer = api(client, q="science")
    assert answer["count"] == 4 and HUAIHUA not in {agency["slug"] for agency in answer["results"]}
    assert HUAIHUA not in result_slugs(client.get(HOME, {"q": "science"}))


def _scored(queries) -> bool:
    """Whether any of these SQL statements ranked the index (computed a window)."""
    return any("bm25(" in query["sql"] or "ts_rank(" in query["sql"] for query in queries)


def test_an_edit_that_leaves_every_document_as_it_was_keeps_the_window(seeded, client):
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from agencies.models import PublicHoliday
    from freshness.version import current

    api(client, q="science")
    before = current()
    PublicHoliday.objects.create(date=dt.date(2026, 12, 24), kind="holiday", name="A test holiday")
    assert current() != before  # pages and API answers are rendered again…
    with CaptureQueriesContext(connection) as queries:
        assert api(client, q="science")["count"] == 5
    assert not _scored(queries.captured_queries)  # …but the search documents did not change


def test_a_rebuilt_index_is_scored_again(seeded, client):
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api(client, q="science")
    call_command("rebuild_search_index", no_progress=True, stdout=__import__("io").StringIO())
    with CaptureQueriesContext(connection) as queries:
        assert api(client, q="science")["count"] == 5
    assert _scored(queries.captured_queries)


def test_match_labels_are_in_the_pages_language(seeded, client):
    """Labels are translated when a field matches, in the request's language (not at import)."""
    chinese = client.get("/zh-hans/", {"q": "Lanzhou"}).content.decode()
    english = client.get(HOME, {"q": "Lanzhou"}).content.decode()
    assert "驻地" in chinese and "Seat" in english and "驻地" not in english
