"""Relevance judgements over the five seed bureaus: query → the bureaus that must come back and,
where one is plainly what was asked for, the bureau that must come first. Every class of the search
issue has its rows. The tests run them on SQLite and PostgreSQL; `make bench` prints recall and MRR."""
from __future__ import annotations

from dataclasses import dataclass

GANSU = "gansu-department-of-science-and-technology"
GUIYANG = "guiyang-bureau-of-science-and-technology"
HUAIHUA = "huaihua-science-and-technology-bureau"
WENZHOU = "wenzhou-science-and-technology-bureau"
ZHEJIANG = "zhejiang-department-of-science-and-technology"
ALL = frozenset({GANSU, GUIYANG, HUAIHUA, WENZHOU, ZHEJIANG})


@dataclass(frozen=True)
class Judgement:
    query: str
    kind: str  # the class of the issue it covers
    must: frozenset[str]
    first: str | None = None
    exact: bool = False  # nothing but `must` may come back


J = Judgement
JUDGEMENTS: list[Judgement] = [
    # Every word counts, in any order, across fields
    J("Gansu department", "words", frozenset({GANSU}), GANSU, exact=True),
    J("department Gansu", "words", frozenset({GANSU}), GANSU, exact=True),
    J("technology funds", "words", frozenset({GANSU, GUIYANG, HUAIHUA})),
    J("Huaihua science", "words", frozenset({HUAIHUA}), HUAIHUA, exact=True),
    J("Zhejiang", "places", frozenset({ZHEJIANG, WENZHOU}), ZHEJIANG, exact=True),
    J("Lanzhou", "places", frozenset({GANSU}), GANSU, exact=True),  # seat city and address
    J("Hangzhou", "places", frozenset({ZHEJIANG}), ZHEJIANG, exact=True),  # seat city
    J("Qingyang Road", "places", frozenset({GANSU}), GANSU, exact=True),  # address
    J("310006", "places", frozenset({ZHEJIANG}), ZHEJIANG, exact=True),  # postcode
    J("Hunan", "places", frozenset({HUAIHUA}), HUAIHUA, exact=True),  # parent region
    J("webmaster@zjinfo.gov.cn", "places", frozenset({ZHEJIANG}), ZHEJIANG, exact=True),  # contact value
    J("foreign experts", "names", frozenset({GANSU}), GANSU),  # other name
    J("seismic", "duties", frozenset({GUIYANG}), GUIYANG, exact=True),
    # Quoted phrases ask for adjacency
    J('"Foreign Experts Bureau"', "phrase", frozenset({GANSU}), GANSU, exact=True),
    J('"Huaihua Municipal"', "phrase", frozenset({HUAIHUA}), HUAIHUA, exact=True),
    # Stems: inflections find each other
    J("fund", "stems", frozenset({GANSU, GUIYANG, HUAIHUA})),
    J("funding", "stems", frozenset({GANSU, GUIYANG, HUAIHUA})),
    J("popularizing", "stems", frozenset({GANSU, HUAIHUA, WENZHOU, ZHEJIANG})),
    # Chinese as people write it
    J("怀化", "chinese", frozenset({HUAIHUA}), HUAIHUA, exact=True),
    J("温州", "chinese", frozenset({WENZHOU}), WENZHOU, exact=True),
    J("科技", "chinese", ALL),
    J("温州科技局", "chinese", frozenset({WENZHOU}), WENZHOU, exact=True),
    J("甘肃科技厅", "chinese", frozenset({GANSU}), GANSU, exact=True),
    J("浙江 科技", "chinese", frozenset({ZHEJIANG, WENZHOU}), ZHEJIANG),
    J("怀化市科学技术局", "chinese", frozenset({HUAIHUA}), HUAIHUA, exact=True),
    J("Wenzhou 科技局", "chinese", frozenset({WENZHOU}), WENZHOU, exact=True),
    # Synonyms
    J("S&T", "synonyms", ALL),
    J("sci-tech Wenzhou", "synonyms", frozenset({WENZHOU}), WENZHOU, exact=True),
    J("science and technology Huaihua", "synonyms", frozenset({HUAIHUA}), HUAIHUA, exact=True),
    # Phone numbers as the citizen has them
    J("0931-8834621", "phone", frozenset({GANSU}), GANSU, exact=True),
    J("8834621", "phone", frozenset({GANSU}), GANSU, exact=True),
    J("+86 931 8834621", "phone", frozenset({GANSU}), GANSU, exact=True),
    J("(0571) 8705 6409", "phone", frozenset({ZHEJIANG}), ZHEJIANG, exact=True),
    J("0745 2712900", "phone", frozenset({HUAIHUA}), HUAIHUA, exact=True),
    # Source spacing and width: full-width letters and NBSP normalise
    J("ＧＡＮＳＵ", "normalisation", frozenset({GANSU}), GANSU, exact=True),
    J("Gansu\u00a0Provincial", "normalisation", frozenset({GANSU}), GANSU, exact=True),
    # Ranking: a bureau named for the query above one that mentions it
    J("Zhejiang science", "ranking", frozenset({ZHEJIANG, WENZHOU}), ZHEJIANG),
    J("Guiyang", "ranking", frozenset({GUIYANG}), GUIYANG),
    # Typos: a confident correction shows its results
    J("Huaihau", "typo", frozenset({HUAIHUA}), HUAIHUA, exact=True),
    J("Wenzou", "typo", frozenset({WENZHOU}), WENZHOU, exact=True),
]


def evaluate(search) -> dict[str, float]:
    """Recall (share of must-return bureaus found) and MRR (of the must-be-first bureau) of `search`,
    a function from query to ranked slugs."""
    found = wanted = 0
    reciprocal = []
    for judgement in JUDGEMENTS:
        slugs = search(judgement.query)
        found += len(judgement.must & set(slugs))
        wanted += len(judgement.must)
        if judgement.first:
            reciprocal.append(1 / (slugs.index(judgement.first) + 1) if judgement.first in slugs else 0.0)
    return {"recall": found / wanted, "mrr": sum(reciprocal) / len(reciprocal), "queries": len(JUDGEMENTS)}
