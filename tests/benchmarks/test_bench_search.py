"""The search benchmark asks the engine as the site does: its relevance table, run over the seed
bureaus, gives the figures the relevance tests demand (a bench that drifted from the engine's API
would fail here rather than halfway through `make bench`)."""
from benchmarks import bench_search
from benchmarks.report import TABLES


def test_the_relevance_table_scores_the_seed_as_the_tests_do(seed, capsys):
    from tests.search.judgements import JUDGEMENTS

    before = len(TABLES)
    bench_search.relevance_table()
    (relevance,) = TABLES[before:]
    del TABLES[before:]
    assert relevance.rows == [[len(JUDGEMENTS), "1.000", "1.000"]]
    assert "Relevance of the judgement list" in capsys.readouterr().out
