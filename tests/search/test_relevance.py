"""The judgement list, query by query, on whichever database the suite runs on (CI runs both)."""
import pytest

from agencies.models import Agency
from search.engine import search_agencies
from tests.search.judgements import JUDGEMENTS, evaluate


def ranked(query: str) -> list[str]:
    return list(search_agencies(Agency.objects.published(), query).queryset.values_list("slug", flat=True))


@pytest.mark.parametrize("judgement", JUDGEMENTS, ids=lambda j: f"{j.kind}:{j.query}")
def test_judged_query_returns_the_right_bureaus_in_the_right_order(seeded, judgement):
    slugs = ranked(judgement.query)
    assert judgement.must <= set(slugs), f"missing {judgement.must - set(slugs)}"
    if judgement.exact:
        assert set(slugs) == judgement.must
    if judgement.first:
        assert slugs[0] == judgement.first


def test_the_whole_list_has_full_recall_and_mrr(seeded):
    assert evaluate(ranked) == {"recall": 1.0, "mrr": 1.0, "queries": len(JUDGEMENTS)}
