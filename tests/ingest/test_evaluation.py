"""Precision and recall, pinned: the five seed pages against fixtures/, and the invented corpus."""
import pytest
from django.core.management import call_command

from ingest.compare import KINDS
from ingest.evaluation import SEED_EXCLUDED, evaluate_corpus, evaluate_seeds
from tests.ingest.conftest import PAGES


def test_seed_pages_reproduce_the_seed_fixtures_exactly(seed_pages):
    evaluation = evaluate_seeds(seed_pages)
    assert [(page.name, page.missing, page.wrong) for page in evaluation.pages if page.missing or page.wrong] == []
    totals = evaluation.totals()
    assert totals["duties"] == (86, 86, 86)  # every duty and sub-item verbatim, with its label
    assert totals["contacts"] == (8, 8, 8) and totals["hours"] == (6, 6, 6)
    assert set(totals) == set(KINDS) - set(SEED_EXCLUDED)
    assert evaluation.perfect


def test_huaihuas_hours_are_flagged_for_their_days_not_counted_as_monday_to_friday(seed_pages):
    huaihua = next(page for page in evaluate_seeds(seed_pages).pages if page.name.startswith("003_"))
    assert huaihua.flags == ["hours: the page gives times but no days (left for staff, not counted)"]


def test_the_invented_corpus_scores_one_for_every_kind_of_fact():
    evaluation = evaluate_corpus(PAGES)
    assert len(evaluation.pages) == 11
    per_kind = evaluation.per_kind()
    assert set(per_kind) == set(KINDS)
    assert {kind: scores for kind, scores in per_kind.items() if scores != (1.0, 1.0)} == {}
    assert evaluation.totals()["duties"][1] == 42


def test_a_wrong_answer_lowers_precision_and_recall(tmp_path):
    (tmp_path / "page.txt").write_text("Example City Science and Technology Bureau\n(1) Plan.\n(2) Fund.\n")
    (tmp_path / "expected.json").write_text(
        '{"page.txt": {"name": "Example City Science and Technology Bureau", "title": '
        '"Example City Science and Technology Bureau", "duties": [{"label": "(1)", "text": "Plan.", "children": []},'
        ' {"label": "(2)", "text": "Fund research.", "children": []}]}}')
    evaluation = evaluate_corpus(tmp_path)
    assert evaluation.totals()["duties"] == (1, 2, 2)
    assert evaluation.per_kind()["duties"] == (0.5, 0.5)
    assert not evaluation.perfect


def test_ingest_eval_prints_the_table_and_fails_strictly_on_a_miss(capsys, tmp_path):
    call_command("ingest_eval", "--seeds", str(tmp_path / "none"), "--corpus", str(PAGES), "--strict")
    out = capsys.readouterr().out
    assert "corpus" in out and "duties       42        42     42     1.000      1.000" in out
    (tmp_path / "page.txt").write_text("(1) Plan.\n(2) Fund.\n")
    (tmp_path / "expected.json").write_text('{"page.txt": {"duties": []}}')
    with pytest.raises(Exception, match="below 1.0"):
        call_command("ingest_eval", "--seeds", str(tmp_path / "none"), "--corpus", str(tmp_path), "--strict")
