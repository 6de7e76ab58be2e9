"""One analysis for index and query: normalisation, stems, Chinese, phone forms; and the query parser
that never lets user text reach the engines' syntax."""
import pytest

from search.analysis import index_tokens, phone_forms, phrase_tokens, query_phone_forms
from search.query import fts5_match, parse, tsquery


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("Science and Technology", ["scienc", "and", "technolog"]),
        ("ＧＡＮＳＵ　Ｐｒｏｖｉｎｃｉａｌ", ["gansu", "provinci"]),  # full-width letters and space
        ("innovation\u00a0system", ["innov", "system"]),  # NBSP from the source
        ("sci-tech", ["sci", "tech"]),
        ("funds, funding; FUNDED!", ["fund", "fund", "fund"]),
        ("怀化市", ["怀化", "化市", "怀", "化", "市"]),  # bigrams, then single characters
        ("局", ["局"]),
        ("Wenzhou温州", ["wenzhou", "温州", "温", "州"]),
        ("zero\u200bwidth", ["zero", "width"]),
        ("!!! --- ...", []),
    ],
)
def test_index_tokens(text, tokens):
    assert index_tokens(text) == tokens


def test_phrases_keep_chinese_bigrams_side_by_side():
    assert phrase_tokens("科学技术") == ("科学", "学技", "技术")


def test_phone_numbers_are_indexed_in_every_form_people_dial():
    assert phone_forms("+869318834621") == ["869318834621", "9318834621", "09318834621", "8834621"]
    assert phone_forms("+8613812345678") == ["8613812345678", "13812345678", "013812345678"]


@pytest.mark.parametrize("typed", ["0931-8834621", "(0931) 883 4621", "+86 931 8834621", "0086-931-8834621"])
def test_a_typed_phone_number_matches_one_of_the_indexed_forms(typed):
    assert set(query_phone_forms(typed)) & set(phone_forms("+869318834621"))


def clause_texts(query: str) -> list[tuple[str, str]]:
    return [(clause.kind, clause.text) for clause in parse(query, [["科技", "科学技术"]]).clauses]


def test_every_word_is_a_clause_and_stop_words_drop_unless_alone():
    assert clause_texts("Bureau of Huaihua") == [("word", "bureau"), ("word", "huaihua")]
    assert clause_texts("the of") == [("word", "the"), ("word", "of")]


def test_chinese_synonyms_split_a_run_into_clauses():
    assert clause_texts("温州科技局") == [("chinese", "温州"), ("synonym", "科技"), ("chinese", "局")]


def test_quoted_phrase_is_one_clause_and_an_unbalanced_quote_is_ignored():
    assert clause_texts('"foreign experts" Gansu') == [("phrase", "foreign experts"), ("word", "gansu")]
    assert clause_texts('"foreign experts') == [("word", "foreign"), ("word", "experts")]


def test_a_phone_number_in_a_query_is_one_clause():
    assert clause_texts("Gansu 0931-8834621") == [("phone", "0931-8834621"), ("word", "gansu")]


@pytest.mark.parametrize(
    "query",
    ['"', '"""', "*", "-", "^", ":", "NEAR(a b)", "a AND b OR NOT c", "x:y", "foo*", "-bar", "^baz",
     "a & b | !c", "'", "\\", "(((", "科技 OR", "“unbalanced", "col:value", "!!!", "the of and"],
)
def test_engine_syntax_in_a_query_is_only_ever_quoted_tokens(query):
    parsed = parse(query, [])
    match, ts = fts5_match(parsed.clauses), tsquery(parsed.clauses)
    for token in [t for phrase in parsed.phrases for t in phrase]:
        assert token.isalnum(), token  # only letters, digits and Chinese characters reach the engines
    # FTS5: every token inside double quotes; PostgreSQL: every lexeme inside single quotes.
    assert all(part.strip("() ") in ("", "AND", "OR") for part in match.split('"')[::2])
    assert all(part.strip("() ") in ("", "&", "|", "<->") for part in ts.split("'")[::2])


TEXTS = [
    "Organize and implement science and technology funds; popularization of science.",
    "负责全省科学技术普及工作，组织实施科技计划。",
    "Foreign experts' training; science\u00a0popularization (科普) and technology-funded projects.",
    "",
]
QUERIES = ["science", "popularizing", "科学", "科技", "科", "foreign experts", '"experts training"', "fund 普及",
           "technology funds", "nothing here", "学技"]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("text", TEXTS)
def test_contains_says_what_spans_would_find(text, query):
    """The duty scoring's quick test agrees with the highlighting it stands for."""
    from search.highlight import contains, spans

    for clause in parse(query, [["科技", "科学技术"], ["s&t", "science and technology"]]).clauses:
        assert contains(text, clause.phrases) == bool(spans(text, clause.phrases)), clause


def test_stemming_is_right_when_threads_stem_at_once():
    """gunicorn's gthread workers stem in several threads at the same time: a stemmer shared between
    threads keeps one word's state, and another thread's word corrupts it (an IndexError, or a wrong stem)."""
    import sys
    import threading

    from search.analysis import stem

    words = ["administration", "responsibilities", "popularization", "technological", "generalizations",
             "supervising", "organizational", "coordinating", "internationally", "cooperation"]
    expected = [stem.__wrapped__(word) for word in words]
    wrong: list[object] = []

    def work():
        try:
            for _ in range(300):
                got = [stem.__wrapped__(word) for word in words]
                if got != expected:
                    wrong.append(got)
        except Exception as error:  # noqa: BLE001 - the failure this test looks for
            wrong.append(error)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as the interpreter allows
    try:
        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert not wrong, wrong[:3]
