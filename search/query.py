"""From what a citizen typed to clauses of index tokens, and from clauses to the engines' syntax.

Every clause must match (in any order, anywhere in the agency's document). A clause is satisfied by
any of its alternatives (a synonym, a phone form); an alternative is a set of phrases that must all be
there; a phrase is tokens side by side. User text never reaches MATCH or tsquery: only our own
tokens do, each quoted."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from search.analysis import (
    PHONE_RE,
    TOKEN_RE,
    bigrams,
    looks_like_phone,
    normalise_text,
    phrase_tokens,
    query_phone_forms,
    stem,
    words,
)

Phrase = tuple[str, ...]
Alternative = tuple[Phrase, ...]

# Dropped from a query unless it has nothing else (the words are indexed, so phrases still find them).
STOP_WORDS = frozenset(
    "a an and are as at be by for from in into is it its of on or the this to with".split()
)
QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "「": '"', "」": '"', "『": '"', "』": '"', "＂": '"'})


@dataclass(frozen=True)
class Clause:
    text: str  # the words as typed (normalised), for suggestions and labels
    alternatives: tuple[Alternative, ...]
    kind: str = "word"  # word, chinese, phrase, phone, synonym

    @property
    def phrases(self) -> list[Phrase]:
        return [phrase for alternative in self.alternatives for phrase in alternative]


@dataclass
class ParsedQuery:
    text: str
    clauses: list[Clause] = field(default_factory=list)

    @property
    def phrases(self) -> list[Phrase]:
        return [phrase for clause in self.clauses for phrase in clause.phrases]

    def __bool__(self) -> bool:
        return bool(self.clauses)


@dataclass(frozen=True)
class SynonymForm:
    group: int
    words: tuple[str, ...]  # normalised, unstemmed
    chinese: str  # the form as one Chinese run when it is all Chinese, else ""


def synonym_forms(groups: list[list[str]]) -> list[SynonymForm]:
    forms = []
    for number, group in enumerate(groups):
        for text in group:
            found = tuple(words(text))
            if not found:
                continue
            chinese = "".join(found) if all(TOKEN_RE.fullmatch(w) and TOKEN_RE.fullmatch(w).group("cjk")
                                            for w in found) else ""
            forms.append(SynonymForm(number, found, chinese))
    # Longest first, so "science and technology" wins over a shorter form inside it.
    return sorted(forms, key=lambda form: (-len(form.chinese or " ".join(form.words)), form.words))


def _synonym_clause(text: str, group: int, forms: list[SynonymForm], typed: tuple[str, ...]) -> Clause:
    alternatives: list[Alternative] = []
    own_words = [w for w in typed if w not in STOP_WORDS] or list(typed)
    if len(own_words) > 1 and all(len(w) >= 3 and not TOKEN_RE.fullmatch(w).group("cjk") for w in own_words):
        # What the typed words would find without the synonym: each of them, anywhere.
        alternatives.append(tuple((stem(w),) for w in own_words))
    for form in forms:
        if form.group == group:
            alternatives.append((phrase_tokens(" ".join(form.words)),))
    return Clause(text, tuple(dict.fromkeys(alternatives)), "synonym")


def _chinese_clauses(run: str, forms: list[SynonymForm]) -> list[Clause]:
    """A Chinese run: synonyms found in it become their own clauses; what is left matches as a
    substring would (its bigrams side by side) or, failing that, as two-character pieces anywhere
    (温州科技局 finds 温州市科学技术局)."""
    chinese_forms = [form for form in forms if form.chinese]
    for form in chinese_forms:
        position = run.find(form.chinese)
        if position >= 0:
            before, after = run[:position], run[position + len(form.chinese):]
            return (_chinese_clauses(before, forms) if before else []) + [
                _synonym_clause(form.chinese, form.group, chinese_forms, ())
            ] + (_chinese_clauses(after, forms) if after else [])
    if len(run) <= 2:
        return [Clause(run, (((bigrams(run)[0],),),), "chinese")]
    pieces = tuple((run[i:i + 2],) for i in range(0, len(run), 2))
    return [Clause(run, ((tuple(bigrams(run)),), pieces), "chinese")]


def _plain_clauses(text: str, forms: list[SynonymForm]) -> list[Clause]:
    clauses: list[Clause] = []
    text = normalise_text(text)
    for match in PHONE_RE.finditer(text):
        if looks_like_phone(match.group()):
            clauses.append(Clause(match.group().strip(), tuple(((form,),) for form in query_phone_forms(match.group())),
                                  "phone"))
            text = text.replace(match.group(), " ", 1)
    runs = [(m.group(), bool(m.group("cjk"))) for m in TOKEN_RE.finditer(text)]
    word_forms = [form for form in forms if not form.chinese]
    only_stop_words = all(run in STOP_WORDS for run, cjk in runs if not cjk) and not any(cjk for _r, cjk in runs)
    index = 0
    while index < len(runs):
        run, cjk = runs[index]
        if cjk:
            clauses += _chinese_clauses(run, forms)
            index += 1
            continue
        for form in word_forms:
            size = len(form.words)
            if tuple(r for r, _c in runs[index:index + size]) == form.words:
                clauses.append(_synonym_clause(" ".join(form.words), form.group, word_forms, form.words))
                index += size
                break
        else:
            if run not in STOP_WORDS or only_stop_words:
                clauses.append(Clause(run, (((stem(run),),),)))
            index += 1
    return clauses


def parse(text: str, synonym_groups: list[list[str]] | None = None) -> ParsedQuery:
    """Quoted parts are phrases; an unbalanced quote is ignored; everything else is words."""
    forms = synonym_forms(synonym_groups or [])
    parts = (text or "").translate(QUOTES).split('"')
    clauses: list[Clause] = []
    for index, part in enumerate(parts):
        quoted = index % 2 == 1 and index < len(parts) - 1  # the last part after an odd quote is unclosed
        if quoted:
            tokens = phrase_tokens(part)
            if len(tokens) > 1:
                clauses.append(Clause(normalise_text(part).strip(), ((tokens,),), "phrase"))
                continue
        clauses += _plain_clauses(part, forms)
    unique = list(dict.fromkeys(clauses))
    return ParsedQuery(text=text, clauses=unique)


# --- engine syntax -------------------------------------------------------------------------------
def _fts5_phrase(phrase: Phrase) -> str:
    return '"' + " ".join(token.replace('"', '""') for token in phrase) + '"'


def fts5_match(clauses: list[Clause], require_all: bool = True) -> str:
    rendered = []
    for clause in clauses:
        alternatives = ["(" + " AND ".join(_fts5_phrase(p) for p in alternative) + ")"
                        for alternative in clause.alternatives]
        rendered.append("(" + " OR ".join(alternatives) + ")")
    return (" AND " if require_all else " OR ").join(rendered)


def _ts_lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def _ts_phrase(phrase: Phrase) -> str:
    return "(" + " <-> ".join(_ts_lexeme(token) for token in phrase) + ")"


def tsquery(clauses: list[Clause], require_all: bool = True) -> str:
    rendered = []
    for clause in clauses:
        alternatives = ["(" + " & ".join(_ts_phrase(p) for p in alternative) + ")"
                        for alternative in clause.alternatives]
        rendered.append("(" + " | ".join(alternatives) + ")")
    return (" & " if require_all else " | ").join(rendered)


_SPACE_RE = re.compile(r"\s+")


def display(text: str) -> str:
    return _SPACE_RE.sub(" ", text or "").strip()
