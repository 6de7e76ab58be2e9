"""A write of a few documents brings the windows of the index version before it up to date, scoring
those documents alone, instead of scoring every match again (search.backends._brought_up_to_date)."""
import pytest
from django.core.cache import cache
from django.db import connection

from agencies.models import Agency
from search import backends
from search.backends import Window
from search.engine import search_agencies
from search.index import index_agencies
from search.query import parse
from search.synonyms import synonym_groups
from tests.factories import DutyFactory
from tests.search.judgements import GUIYANG, HUAIHUA


def window(text: str) -> Window:
    return backends.window(parse(text, synonym_groups()).clauses)


def full_scoring(text: str) -> Window:
    return backends._window(backends.engine_query(parse(text, synonym_groups()).clauses))


@pytest.fixture
def scorings(monkeypatch) -> list[str]:
    """The whole-index scorings asked for (each expression once per scoring)."""
    calls = []
    original = backends._window
    monkeypatch.setattr(backends, "_window", lambda expression: calls.append(expression) or original(expression))
    return calls


def test_a_small_write_brings_the_window_up_to_date_without_scoring_every_match(
    seeded, scorings, django_capture_on_commit_callbacks
):
    guiyang, huaihua = Agency.objects.get(slug=GUIYANG), Agency.objects.get(slug=HUAIHUA)
    assert window("seismic").ids == (guiyang.pk,) and len(scorings) == 1
    with django_capture_on_commit_callbacks(execute=True):  # one write: a new duty
        duty = DutyFactory(agency=huaihua, position=99, text="Seismic monitoring of the city's bridges.")
    with django_capture_on_commit_callbacks(execute=True):  # and another: the chain is walked back
        Agency.objects.get(pk=huaihua.pk).save()
    after = window("seismic")
    assert len(scorings) == 1  # the documents of the writes were scored, not every match
    fresh = full_scoring("seismic")
    scorings.clear()
    assert set(after.ids) == set(fresh.ids) == {guiyang.pk, huaihua.pk} and after.complete
    if connection.vendor == "postgresql":  # ts_rank reads one document: the same answer exactly
        assert after == fresh
    with django_capture_on_commit_callbacks(execute=True):
        duty.delete()
    assert window("seismic").ids == (guiyang.pk,) and scorings == []
    # What the site lists follows: Huaihua's new duty found, then gone again.
    found = search_agencies(Agency.objects.published(), "seismic").queryset
    assert list(found.values_list("slug", flat=True)) == [GUIYANG]


def test_a_write_of_many_documents_or_one_not_committed_through_the_chain_is_scored_again(
    seeded, scorings, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(backends, "CHANGES_REMEMBERED", 1)
    window("science")
    with django_capture_on_commit_callbacks(execute=True):
        index_agencies(Agency.objects.values_list("pk", flat=True)[:2])
    window("science")
    assert len(scorings) == 2
    index_agencies(Agency.objects.values_list("pk", flat=True)[:1])  # no commit: no link to follow
    window("science")
    assert len(scorings) == 3


@pytest.fixture
def merge(monkeypatch):
    """An old window of ids 10, 11, 12 (WINDOW = 3) at version 1.0, and a write of `changed` to 2.5
    whose documents now score as `rescored` says."""
    monkeypatch.setattr(backends, "WINDOW", 3)

    def run(old: Window, changed: tuple[int, ...], rescored: list[tuple[float, int]]) -> Window | None:
        cache.set(backends._window_key("digest", "1.0"), old)
        backends.remember_change("2.5", "1.0", changed)
        monkeypatch.setattr(backends, "_scores", lambda expression, ids: [e for e in rescored if e[1] in ids])
        return backends._brought_up_to_date("digest", "expression", "2.5")

    return run


INCOMPLETE = Window((10, 11, 12), complete=False, scores=(-3.0, -2.0, -1.0))


def test_a_document_moving_within_an_incomplete_window_keeps_it(merge):
    assert merge(INCOMPLETE, (11,), [(-4.0, 11)]) == Window((11, 10, 12), False, (-4.0, -3.0, -1.0))
    assert merge(INCOMPLETE, (11,), [(-1.5, 11)]) == Window((10, 11, 12), False, (-3.0, -1.5, -1.0))


def test_a_document_rising_into_an_incomplete_window_pushes_the_last_out(merge):
    assert merge(INCOMPLETE, (99,), [(-2.5, 99)]) == Window((10, 99, 11), False, (-3.0, -2.5, -2.0))


def test_an_incomplete_window_left_short_is_scored_again(merge):
    assert merge(INCOMPLETE, (11,), []) is None  # no longer matches: the fourth best is not known
    assert merge(INCOMPLETE, (11,), [(-0.5, 11)]) is None  # worse than the last: its place is not known


def test_a_complete_window_stays_complete_until_it_overflows(merge):
    complete = Window((10, 11), complete=True, scores=(-3.0, -2.0))
    assert merge(complete, (10,), []) == Window((11,), True, (-2.0,))
    assert merge(complete, (99,), [(-2.5, 99)]) == Window((10, 99, 11), True, (-3.0, -2.5, -2.0))
    full = Window((10, 11, 12), complete=True, scores=(-3.0, -2.0, -1.0))
    assert merge(full, (99,), [(-5.0, 99)]) == Window((99, 10, 11), False, (-5.0, -3.0, -2.0))


def test_no_window_to_start_from_or_too_long_a_chain_means_a_full_scoring(merge, monkeypatch):
    assert backends._brought_up_to_date("digest", "expression", "7.1") is None  # no link
    monkeypatch.setattr(backends, "CHANGE_LINKS", 1)
    backends.remember_change("3.3", "2.5", (5,))
    cache.set(backends._window_key("digest", "1.0"), INCOMPLETE)
    backends.remember_change("2.5", "1.0", (11,))
    assert backends._brought_up_to_date("digest", "expression", "3.3") is None
