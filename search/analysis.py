"""One analysis for the index and the query, so SQLite FTS5 and PostgreSQL see the same tokens.

Text is normalised (NFKC: full-width → half-width; case-folded; every kind of space, NBSP included,
is a separator; punctuation and hyphens split words), then cut into tokens:

- an English word becomes its Snowball stem (`duties` → `duti`, `funding` → `fund`);
- a run of digits stays as it is;
- a run of Chinese characters becomes its overlapping bigrams (`怀化市` → `怀化 化市`), followed — at the
  end of the field, so phrases stay adjacent — by its single characters (a one-character query finds them).
  A run of one character is that character.

Bigrams rather than a segmenter (jieba): they find every substring of two or more characters, need no
dictionary, and cost nothing to load; figures in the README's search section.
"""
from __future__ import annotations

import functools
import re
import threading
import unicodedata
from dataclasses import dataclass

import snowballstemmer

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# A Chinese run, or a run of other letters and digits (punctuation, hyphens and spaces split words).
# `[^\W_{CJK}]`: a word character that is neither `_` nor Chinese, in one class (not a lookahead per character).
TOKEN_RE = re.compile(rf"(?P<cjk>[{CJK}]+)|(?P<word>[^\W_{CJK}]+)")
CJK_RE = re.compile(rf"[{CJK}]")
# A Snowball stemmer keeps the word it is stemming in its own attributes: one per thread (gunicorn's
# gthread workers), or two threads stemming at once corrupt each other's word (an IndexError: a 500).
_stemmers = threading.local()


@dataclass(frozen=True)
class Piece:
    """A run of the normalised text: `kind` is "cjk" or "word"; `start`/`end` index the original text."""

    kind: str
    text: str
    start: int
    end: int


@functools.lru_cache(maxsize=4096)
def _normalise_char(char: str) -> str:
    folded = unicodedata.normalize("NFKC", char).casefold()
    # Format characters (zero-width space, joiners, BOM) would glue or split words invisibly.
    return "".join(" " if unicodedata.category(c) in ("Cf", "Zs") else c for c in folded)


def normalise(text: str) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, the index of the original character."""
    text = text or ""
    if text.isascii():
        return text.lower(), list(range(len(text)))
    out, origin = [], []
    for index, char in enumerate(text):
        piece = _normalise_char(char)
        out.append(piece)
        origin.extend([index] * len(piece))
    return "".join(out), origin


class _NormalisedChars(dict):
    """Code point → its normalised text (`_normalise_char`), filled as characters are met, for
    `str.translate`: one C loop over the text instead of a Python call per character. Bounded: past
    the limit, characters met for the first time are normalised without being kept."""

    LIMIT = 65536

    def __missing__(self, code: int) -> str:
        piece = _normalise_char(chr(code))
        if len(self) < self.LIMIT:
            self[code] = piece
        return piece


_NORMALISED = _NormalisedChars()


def normalise_text(text: str) -> str:
    """Normalised text alone (no offsets)."""
    text = text or ""
    return text.lower() if text.isascii() else text.translate(_NORMALISED)


def pieces(text: str) -> list[Piece]:
    """Word and Chinese runs of `text`, with their place in the original text."""
    normalised, origin = normalise(text)
    found = []
    for match in TOKEN_RE.finditer(normalised):
        kind = "cjk" if match.group("cjk") else "word"
        start, end = match.start(), match.end()
        found.append(Piece(kind, match.group(), origin[start], origin[end - 1] + 1))
    return found


@functools.lru_cache(maxsize=65536)
def stem(word: str) -> str:
    if word.isdigit():
        return word
    stemmer = getattr(_stemmers, "english", None)
    if stemmer is None:
        stemmer = _stemmers.english = snowballstemmer.stemmer("english")
    return stemmer.stemWord(word)


def bigrams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i:i + 2] for i in range(len(run) - 1)]


def index_tokens(text: str) -> list[str]:
    """Tokens of a field in the order they are indexed: the main stream, then Chinese single characters."""
    main: list[str] = []
    singles: list[str] = []
    for match in TOKEN_RE.finditer(normalise_text(text)):
        run = match.group()
        if match.group("cjk"):
            main.extend(bigrams(run))
            if len(run) > 1:
                singles.extend(run)
        else:
            main.append(stem(run))
    return main + singles


def phrase_tokens(text: str) -> tuple[str, ...]:
    """The main stream alone: what a quoted phrase must find side by side."""
    tokens: list[str] = []
    for match in TOKEN_RE.finditer(normalise_text(text)):
        run = match.group()
        tokens.extend(bigrams(run) if match.group("cjk") else [stem(run)])
    return tuple(tokens)


def words(text: str) -> list[str]:
    """Normalised words before stemming (for synonyms and typo suggestions)."""
    return [match.group() for match in TOKEN_RE.finditer(normalise_text(text))]


def has_cjk(text: str) -> bool:
    return bool(CJK_RE.search(text or ""))


# --- phone numbers -------------------------------------------------------------------------------
# Something a citizen types as a phone number: optional +/00, then digits with spaces, dashes, dots or
# brackets; at least 7 digits in all (a local number without its area code has 7 or 8).
PHONE_RE = re.compile(r"(?:\+|(?<!\d)00)?\(?\d[\d\s\-.()]{5,}\d")


def digits(text: str) -> str:
    return "".join(char for char in text if char.isdigit())


def looks_like_phone(text: str) -> bool:
    return len(digits(text)) >= 7


def phone_forms(e164: str) -> list[str]:
    """Digits of a number as people dial it: E.164 without '+', national with and without the trunk
    '0', and the local number without its area code."""
    return list(_phone_forms(e164 or ""))


@functools.lru_cache(maxsize=8192)
def _phone_forms(e164: str) -> tuple[str, ...]:
    """Parsing a number costs ~0.1 ms; every results page highlights the same few thousand."""
    import phonenumbers

    if not e164:
        return ()
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return ()
    national = phonenumbers.national_significant_number(number)
    forms = [e164.lstrip("+"), national, "0" + national]
    area = phonenumbers.length_of_geographical_area_code(number)
    if area:
        forms.append(national[area:])
    return tuple(dict.fromkeys(forms))


def query_phone_forms(text: str) -> list[str]:
    """The digit strings a phone-like query may match: as typed, and its E.164 form when it parses."""
    from django.core.exceptions import ValidationError

    from agencies.phones import to_e164

    typed = digits(text)
    if typed.startswith("00"):
        typed = typed[2:]
    forms = [typed]
    try:
        forms.append(to_e164(text).lstrip("+"))
    except ValidationError:
        pass
    return list(dict.fromkeys(forms))
