"""'Did you mean Huaihua?': the closest bureau name, other name or place to a word that finds nothing,
by rapidfuzz over the vocabulary of those names."""
from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.cache import cache
from rapidfuzz import fuzz, process

from search.analysis import TOKEN_RE, normalise_text
from search.query import Clause

CACHE_KEY = "search:vocabulary"
STANDALONE_NUMBER = re.compile(r"(?<!\S)\d+(?!\S)")
WORD_CUTOFF = 75  # rapidfuzz ratio (0–100) below which no word is suggested
CONFIDENT = 80  # at or above, for every corrected word with a clear winner, the results are shown too
CHINESE_CUTOFF = 50


@dataclass(frozen=True)
class Suggestion:
    text: str
    confident: bool


def vocabulary() -> dict[str, str]:
    """Normalised word → how it is written (Huaihua), from agency names, other names and regions."""
    words = cache.get(CACHE_KEY)
    if words is None:
        from agencies.models import Agency, AgencyName, Region

        texts: dict[str, None] = {}  # distinct, in order (the first written form of a word wins)
        for model in (Region, Agency, AgencyName):
            for name, name_zh in model.objects.values_list("name", "name_zh").distinct().iterator():
                # Numbers are never suggested: without them, 100,000 numbered names are a few texts.
                texts[STANDALONE_NUMBER.sub("", name or "")] = None
                texts[STANDALONE_NUMBER.sub("", name_zh or "")] = None
        words = {}
        seen: set[str] = set()  # 200,000 names repeat a few dozen words: each written form once
        for text in texts:
            for match in TOKEN_RE.finditer(text or ""):
                written = match.group()
                if written in seen:
                    continue
                seen.add(written)
                key = normalise_text(written)
                if match.group("cjk"):
                    words.setdefault(key, written)
                    # Place names are written with and without their suffix: 怀化 and 怀化市.
                    if len(key) > 2 and key[-1] in "省市县区州盟旗":
                        words.setdefault(key[:-1], written[:-1])
                elif len(key) >= 3 and not key.isdigit():
                    words.setdefault(key, written)
        cache.set(CACHE_KEY, words, 3600)
    return words


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
        confident = confident and clear and score >= CONFIDENT
        pattern = re.compile(re.escape(clause.text), re.IGNORECASE)
        replaced = pattern.sub(lambda _m, w=words[choice]: w, corrected, count=1)
        if replaced == corrected:
            continue
        corrected, changed = replaced, True
    return Suggestion(corrected, confident) if changed else None
