"""Why an agency matched: the names, places, contacts or duties where the query's tokens are, with
<mark> around them. Works on the engine's own tokens, so stems (funding ~ funds), Chinese bigrams,
synonyms (科技 marks 科学技术) and phone forms are highlighted as they were matched."""
from __future__ import annotations

import functools
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from search.analysis import TOKEN_RE, has_cjk, normalise, phone_forms, stem
from search.query import ParsedQuery, Phrase

SNIPPET_CONTEXT = 70
Span = tuple[int, int]


@dataclass(frozen=True)
class Match:
    field: str  # translated description: "Name", "Also known as", "Region", "Duty (3)"
    text: SafeString  # escaped, with <mark>
    lang: str
    kind: str = ""  # name, other_name, region, seat, address, postcode, contact, duty
    plain: str = ""  # the text (or snippet) without marks


@dataclass(frozen=True)
class _Tokens:
    main: tuple[tuple[str, int, int], ...]  # the main stream: (token, start, end) in the original text
    singles: tuple[tuple[str, int, int], ...]  # Chinese single characters
    at: dict  # token -> its indexes in `main`
    present: frozenset  # every token, single characters included


@functools.lru_cache(maxsize=16384)
def _token_spans(text: str) -> _Tokens:
    """The tokens of `text` with each one's span in the original text. Cached: the same names and duty
    texts are highlighted on page after page."""
    normalised, origin = normalise(text)
    main, singles = [], []
    for match in TOKEN_RE.finditer(normalised):
        start, end = match.start(), match.end()
        if match.group("cjk"):
            chars = [(normalised[i], origin[i], origin[i] + 1) for i in range(start, end)]
            if len(chars) == 1:
                main.append(chars[0])
                continue
            for (a, a_start, _a_end), (b, _b_start, b_end) in zip(chars, chars[1:], strict=False):
                main.append((a + b, a_start, b_end))
            singles += chars
        else:
            main.append((stem(match.group()), origin[start], origin[end - 1] + 1))
    at: dict[str, list[int]] = {}
    for index, (token, _start, _end) in enumerate(main):
        at.setdefault(token, []).append(index)
    return _Tokens(tuple(main), tuple(singles), at, frozenset(token for token, _s, _e in main + singles))


def _occurrences(tokens: _Tokens, phrase: Phrase) -> list[int]:
    """Indexes in the main stream where `phrase` starts."""
    main, size = tokens.main, len(phrase)
    return [index for index in tokens.at.get(phrase[0], ())
            if size == 1 or tuple(token for token, _s, _e in main[index:index + size]) == phrase]


def contains(text: str, phrases: list[Phrase]) -> bool:
    """Whether any of the phrases occurs in `text` (what `spans` would find, without placing it)."""
    if not text or not phrases:
        return False
    tokens = _token_spans(text)
    for phrase in phrases:
        if tokens.present.issuperset(phrase) and (len(phrase) == 1 or _occurrences(tokens, phrase)):
            return True
    return False


def spans(text: str, phrases: list[Phrase]) -> list[Span]:
    """Where the phrases occur in `text`, merged and in order."""
    if not text or not phrases:
        return []
    tokens = _token_spans(text)
    wanted = [phrase for phrase in set(phrases) if tokens.present.issuperset(phrase)]
    if not wanted:
        return []
    main = tokens.main
    found: list[Span] = []
    for phrase in wanted:
        size = len(phrase)
        found += [(main[index][1], main[index + size - 1][2]) for index in _occurrences(tokens, phrase)]
        if size == 1:
            found += [(start, end) for token, start, end in tokens.singles if token == phrase[0]]
    merged: list[Span] = []
    for start, end in sorted(found):
        # Words next to each other read as one mark: <mark>Foreign Experts</mark>.
        if merged and (start <= merged[-1][1] or not text[merged[-1][1]:start].strip()):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def marked(text: str, found: list[Span]) -> SafeString:
    out, position = [], 0
    for start, end in found:
        out += [escape(text[position:start]), "<mark>", escape(text[start:end]), "</mark>"]
        position = end
    out.append(escape(text[position:]))
    return mark_safe("".join(out))


def cut(text: str, found: list[Span], context: int = SNIPPET_CONTEXT) -> tuple[str, list[Span]]:
    """The part of a long text around the first match, with ellipses where it was cut."""
    if not found:
        return text, found
    first_start, first_end = found[0]
    if len(text) <= 2 * context + (first_end - first_start):
        return text, found
    start = max(0, first_start - context)
    end = min(len(text), first_end + context)
    # Cut at a space where there is one near (English); Chinese text has none and is cut anywhere.
    space_after_start = text.find(" ", start, first_start)
    if start and 0 <= space_after_start - start < 20:
        start = space_after_start + 1
    space_before_end = text.rfind(" ", first_end, end)
    if end < len(text) and 0 <= end - space_before_end < 20:
        end = space_before_end
    piece = text[start:end]
    stripped = piece.strip()
    shift = start + (len(piece) - len(piece.lstrip()))
    kept = [(max(a, start) - shift, min(b, end) - shift) for a, b in found if a < end and b > start]
    prefix = "…" if start else ""
    kept = [(a + len(prefix), b + len(prefix)) for a, b in kept]
    return prefix + stripped + ("…" if end < len(text) else ""), kept


@dataclass(frozen=True)
class DutyText:
    label: str  # "(3)", or "(3) 2." for a sub-item
    text: str


def attach_duty_texts(agencies: list) -> None:
    """Every duty text of these agencies in one light query (plain rows, not model instances), as
    `agency.listing_duties`, for `match_reasons`."""
    Duty = agencies[0]._meta.get_field("duties").related_model if agencies else None
    texts: dict[int, list[DutyText]] = {agency.pk: [] for agency in agencies}
    if Duty is not None:
        rows = Duty.objects.filter(agency_id__in=list(texts)).order_by("id").values_list(
            "agency_id", "parent__label", "label", "text")
        for agency_id, parent_label, label, text in rows:
            # Named as the site names duties (portal.search.duty_reference): "10." reads "10".
            labels = [parent_label, label] if parent_label else [label]
            texts[agency_id].append(DutyText(" ".join(part.rstrip(".．") for part in labels), text))
    for agency in agencies:
        agency.listing_duties = texts[agency.pk]


# Translated only for a field that matched: a page of 20 bureaus looks at 11 fields of each, and
# translating every label up front was a fifth of the page's highlighting.
NAME, ALSO_KNOWN_AS, REGION = gettext_lazy("Name"), gettext_lazy("Also known as"), gettext_lazy("Region")
SEAT, ADDRESS, POSTCODE = gettext_lazy("Seat"), gettext_lazy("Address"), gettext_lazy("Postcode")


def lang_of(text: str) -> str:
    return "zh-Hans" if has_cjk(text) else "en"


def match_reasons(agency, query: ParsedQuery, limit: int = 3) -> list[Match]:
    """Needs `with_listing(query)` (or `agencies.models.match_prefetches()`) and `attach_duty_texts`:
    names, places, contacts and duties already loaded."""
    if not query:
        return []
    phrases = query.phrases
    found: list[Match] = []

    def add(kind: str, label: str | Promise, text: str, snippet: bool = False) -> None:
        where = spans(text, phrases)
        if where:
            shown, where = cut(text, where) if snippet else (text, where)
            found.append(Match(str(label), marked(shown, where), lang_of(shown), kind, shown))

    for text in (agency.name, agency.name_zh):
        add("name", NAME, text)
    for other in agency.listing_other_names:
        for text in (other.name, other.name_zh):
            add("other_name", ALSO_KNOWN_AS, text)
    for region in (agency.region, agency.region.parent):  # both loaded with the agency
        if region is not None:
            for text in (region.name, region.name_zh):
                add("region", REGION, text)
    seat = getattr(agency, "seat", None)
    if seat is not None and seat.pk != agency.region_id:
        for text in (seat.name, seat.name_zh):
            add("seat", SEAT, text)
    add("address", ADDRESS, agency.address)
    add("postcode", POSTCODE, agency.postcode)
    tokens = {token for phrase in phrases for token in phrase}
    for contact in agency.listing_contacts:
        if contact.e164 and tokens & set(phone_forms(contact.e164)):
            found.append(Match(contact.label, marked(contact.value, [(0, len(contact.value))]), "en", "contact",
                               contact.value))
        else:
            add("contact", contact.label, contact.value)
    # The duties with the most of the query's words first, then in published order.
    scored = []
    for order, duty in enumerate(getattr(agency, "listing_duties", [])):
        words = sum(1 for clause in query.clauses if contains(duty.text, clause.phrases))
        if words:
            scored.append((-words, order, duty))
    for _words, _order, duty in sorted(scored, key=lambda item: item[:2])[:max(0, limit - len(found))]:
        add("duty", _("Duty %(label)s") % {"label": duty.label}, duty.text, snippet=True)
    return found[:limit]
