"""'Did you mean Huaihua?': the closest bureau name, other name or place to a word that finds nothing,
by rapidfuzz over the vocabulary of those names (the `Word` table, which the index keeps)."""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from rapidfuzz import fuzz, process

from search.analysis import CJK, CJK_RE, TOKEN_RE, normalise_text
from search.query import Clause, parse

CACHE_KEY = "search:vocabulary"
PLAIN_TOKEN_RE = re.compile(rf"[{CJK}]+|[^\W_{CJK}]+")  # TOKEN_RE without its groups: findall gives strings
WORD_CUTOFF = 75  # rapidfuzz ratio (0–100) below which no word is suggested
CONFIDENT = 80  # at or above, for every corrected word with a clear winner, the results are shown too
CHINESE_CUTOFF = 50


@dataclass(frozen=True)
class Suggestion:
    text: str
    confident: bool


def vocabulary() -> dict[str, str]:
    """Normalised word → how it is written (Huaihua): the `Word` table, a few dozen rows to a few
    thousand, kept in the shared cache until a write adds a word."""
    words = cache.get(CACHE_KEY)
    if words is None:
        from search.models import Word

        words = dict(Word.objects.values_list("key", "written"))
        cache.set(CACHE_KEY, words, 3600)  # a bound on a read that raced a commit adding a word
    return words


def words_of(texts: Iterable[str], words: dict[str, str] | None = None) -> dict[str, str]:
    """The suggestible words of these names, added to `words`: English words of three letters or more
    and Chinese runs (a place also without its suffix: 怀化市 and 怀化), never numbers. The first
    written form wins. One regex pass over all the names in C, then Python per distinct token only:
    an import's 40,000 names (and their numbers) in 10 ms, not 50."""
    words = {} if words is None else words
    for written in dict.fromkeys(PLAIN_TOKEN_RE.findall("\n".join(text for text in texts if text))):
        if written.isdigit():
            continue
        key = normalise_text(written)
        if CJK_RE.match(written):
            words.setdefault(key, written)
            if len(key) > 2 and key[-1] in "省市县区州盟旗":
                words.setdefault(key[:-1], written[:-1])
        elif len(key) >= 3 and not key.isdigit():
            words.setdefault(key, written)
    return words


def remember(found: dict[str, str], *, replace: bool = False) -> int:
    """Add these words (`words_of`) in the writing transaction, so a rolled-back write adds none;
    `replace`: they are all the words there are (a rebuild). The cached vocabulary is dropped when the
    transaction commits, and only if a word is new. Returns how many words were added."""
    from search.models import Word

    if replace:
        Word.objects.all().delete()
        new = found
    else:
        # The cached vocabulary if there is one; else the table, for these keys only. Not `vocabulary()`:
        # inside the writing transaction it would cache what only this transaction sees.
        known = cache.get(CACHE_KEY)
        if known is None:
            known = set()
            keys = list(found)
            for start in range(0, len(keys), 500):
                known.update(Word.objects.filter(key__in=keys[start:start + 500]).values_list("key", flat=True))
        new = {key: written for key, written in found.items() if key not in known}
    if new:
        Word.objects.bulk_create([Word(key=key[:200], written=written[:200]) for key, written in new.items()],
                                 ignore_conflicts=True, batch_size=500)
    if new or replace:
        transaction.on_commit(forget_vocabulary)
    return len(new)


def forget_vocabulary() -> None:
    cache.delete(CACHE_KEY)


def _closest(word: str, choices: list[str], cutoff: int) -> tuple[str, float, bool] | None:
    best = process.extract(word, choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=2)
    if not best:
        return None
    clear = len(best) == 1 or best[0][1] - best[1][1] >= 5
    return best[0][0], best[0][1], clear


def suggest(text: str, clauses: list[Clause], exists) -> Suggestion | None:
    """A corrected query when some words find nothing; `exists(clause)` asks the index."""
    words = vocabulary()
    english = [word for word in words if not TOKEN_RE.fullmatch(word).group("cjk")]
    chinese = [word for word in words if TOKEN_RE.fullmatch(word).group("cjk")]
    corrected, confident = text, True
    changed = False
    for clause in clauses:
        if clause.kind not in ("word", "chinese") or clause.text in words or exists(clause):
            continue
        if clause.kind == "word":
            if len(clause.text) < 3 or clause.text.isdigit():
                continue
            found = _closest(clause.text, english, WORD_CUTOFF)
        else:
            found = _closest(clause.text, chinese, CHINESE_CUTOFF)
            confident = False  # one character of two is a different word, not a typo to act on
        if found is None:
            continue
        choice, score, clear = found
        if not all(exists(word) for word in parse(words[choice], []).clauses):
            continue  # a word of a name since changed (the vocabulary keeps it until a rebuild)
        confident = confident and clear and score >= CONFIDENT
        pattern = re.compile(re.escape(clause.text), re.IGNORECASE)
        replaced = pattern.sub(lambda _m, w=words[choice]: w, corrected, count=1)
        if replaced == corrected:
            continue
        corrected, changed = replaced, True
    return Suggestion(corrected, confident) if changed else None
