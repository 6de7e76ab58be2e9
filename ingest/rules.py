"""One small function per kind of fact a bureau publishes about itself, English and Chinese.

Every rule reads the page's text and returns facts with their position (start, end) in it, so staff
see where each fact came from. A rule that cannot read something says nothing: no fact is guessed.
`extract(text)` runs them all and lists what no rule claimed as unparsed."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import phonenumbers

from agencies.phones import to_e164

# --- the facts --------------------------------------------------------------------------------------


@dataclass
class Fact:
    """One thing the page says, where it says it, and a note for staff when it needs a decision."""

    value: object
    start: int
    end: int
    flag: str = ""
    children: list[Fact] = field(default_factory=list)

    def to_json(self) -> dict:
        data = {"value": self.value, "start": self.start, "end": self.end}
        if self.flag:
            data["flag"] = self.flag
        if self.children:
            data["children"] = [child.to_json() for child in self.children]
        return data

    @classmethod
    def from_json(cls, data: dict) -> Fact:
        return cls(data["value"], data["start"], data["end"], data.get("flag", ""),
                   [cls.from_json(child) for child in data.get("children", [])])


SCALARS = ("name", "name_zh", "rank", "description", "address", "postcode", "website",
           "title", "origin", "page_date", "translator")
LISTS = ("other_names", "contacts", "hours", "duties")


@dataclass
class Extraction:
    """Everything read from one page. Scalars are a Fact or None; lists hold Facts."""

    name: Fact | None = None
    name_zh: Fact | None = None
    rank: Fact | None = None
    description: Fact | None = None
    address: Fact | None = None
    postcode: Fact | None = None
    website: Fact | None = None
    title: Fact | None = None
    origin: Fact | None = None  # the source line the page prints (its origin, not its own address)
    page_date: Fact | None = None
    translator: Fact | None = None
    other_names: list[Fact] = field(default_factory=list)
    contacts: list[Fact] = field(default_factory=list)
    hours: list[Fact] = field(default_factory=list)
    duties: list[Fact] = field(default_factory=list)
    notes: list[Fact] = field(default_factory=list)  # read and understood, but no field (法定节假日除外)
    unparsed: list[tuple[int, int]] = field(default_factory=list)

    def to_json(self) -> dict:
        data: dict = {key: (getattr(self, key).to_json() if getattr(self, key) else None) for key in SCALARS}
        for key in (*LISTS, "notes"):
            data[key] = [fact.to_json() for fact in getattr(self, key)]
        data["unparsed"] = [list(span) for span in self.unparsed]
        return data

    @classmethod
    def from_json(cls, data: dict) -> Extraction:
        extraction = cls()
        for key in SCALARS:
            if data.get(key):
                setattr(extraction, key, Fact.from_json(data[key]))
        for key in (*LISTS, "notes"):
            setattr(extraction, key, [Fact.from_json(item) for item in data.get(key, [])])
        extraction.unparsed = [tuple(span) for span in data.get("unparsed", [])]
        return extraction

    def spans(self) -> list[tuple[int, int, str]]:
        """Every fact's place in the text with its kind, for highlighting."""
        found = []
        for key in SCALARS:
            fact = getattr(self, key)
            if fact and fact.end > fact.start:
                found.append((fact.start, fact.end, key))
        for key in (*LISTS, "notes"):
            for fact in getattr(self, key):
                found.append((fact.start, fact.end, key))
                found.extend((child.start, child.end, key) for child in fact.children)
        return sorted(found)


# --- lines: the unit most rules read ----------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    start: int
    end: int
    text: str


def lines_of(text: str) -> list[Line]:
    found, pos = [], 0
    for raw in text.split("\n"):
        found.append(Line(pos, pos + len(raw), raw))
        pos += len(raw) + 1
    return found


PIPES = " \t|\u3000"


def trimmed(text: str, start: int, end: int, chars: str = PIPES + ".,;:，；：。") -> tuple[int, int]:
    """Narrow (start, end) past surrounding whitespace, table pipes and punctuation."""
    while start < end and (text[start] in chars or text[start].isspace()):
        start += 1
    while end > start and (text[end - 1] in chars or text[end - 1].isspace()):
        end -= 1
    return start, end


# --- names -----------------------------------------------------------------------------------------

NAME_EN = re.compile(
    r"(?:[A-Z][\w'\-]*\s+){1,5}?(?:(?:Provincial|Municipal|County|District|City)\s+)?"
    r"(?:(?:Department|Bureau|Commission)\s+of\s+Science\s+and\s+Technology"
    r"|Science\s+and\s+Technology\s+(?:Bureau|Department|Commission))"
)
NAME_ZH = re.compile(r"^[\s|•·]*([\u4e00-\u9fff]{2,16}?(?:科学技术|科技)(?:局|厅|委员会))")


def find_name(text: str, lines: list[Line]) -> Fact | None:
    """The bureau's English name: the first one in a short (title) line, else the first anywhere."""
    anywhere = None
    for line in lines:
        for match in NAME_EN.finditer(line.text):
            words = match.group(0).split()
            while words and words[0] in {"The", "the", "Of", "Functions", "Responsibilities"}:
                words.pop(0)
            name = " ".join(words)
            start = line.start + match.start() + match.group(0).index(name.split()[0])
            fact = Fact(name, start, start + len(name))
            if len(line.text.strip(PIPES)) <= 120:
                return fact
            anywhere = anywhere or fact
    return anywhere


def find_name_zh(text: str, lines: list[Line]) -> Fact | None:
    """The Chinese name, where a line begins with it (示例市科学技术局 / …主要职责)."""
    for line in lines:
        match = NAME_ZH.match(line.text)
        if match:
            return Fact(match.group(1), line.start + match.start(1), line.start + match.end(1))
    return None


OTHER_NAMES_EN = re.compile(
    r"(?:also serves as|also known as|is also known as|also bears the name of)\s+(.+?)\.(?:\s|$)"
)
OTHER_NAMES_ZH = re.compile(r"加挂(.+?)牌子")
SPLIT_NAMES = re.compile(r",\s*(?:and\s+)?|\s+and\s+(?=the\s|[A-Z])|、|和|及")


def find_other_names(text: str) -> list[Fact]:
    """'It also serves as the X and the Y.' / '加挂X、Y牌子' → X, Y (each with its place)."""
    facts = []
    for pattern in (OTHER_NAMES_EN, OTHER_NAMES_ZH):
        for match in pattern.finditer(text):
            base, names = match.start(1), match.group(1)
            pos = 0
            for piece in SPLIT_NAMES.split(names):
                offset = names.index(piece, pos)
                pos = offset + len(piece)
                name = re.sub(r"^the\s+", "", piece.strip())
                if not name:
                    continue
                start = base + offset + piece.index(name)
                facts.append(Fact(name, start, start + len(name)))
    return facts


RANK_EN = re.compile(
    r"at the ((?:deputy |vice )?(?:director-general|division|department|bureau|county|section)[- ]level)"
)
RANK_ZH = re.compile(r"(正厅级|副厅级|正局级|副局级|正处级|副处级|正县级|副县级|正科级)")


def find_rank(text: str) -> Fact | None:
    for pattern in (RANK_EN, RANK_ZH):
        match = pattern.search(text)
        if match:
            return Fact(match.group(1), match.start(1), match.end(1))
    return None


def sentence_count(text: str) -> int:
    return len([s for s in re.split(r"(?<=[.。!?！？])\s*(?=[A-Z\u4e00-\u9fff“\"（(])", text.strip()) if s.strip()])


def find_description(lines: list[Line], first_duty_start: int | None) -> Fact | None:
    """The introduction right before the list of duties, when it is more than a one-line lead-in
    ('… are as follows:' introduces a list; it does not describe the bureau)."""
    if first_duty_start is None:
        return None
    before = [line for line in lines if line.end <= first_duty_start and line.text.strip(PIPES)]
    if not before:
        return None
    line = before[-1]
    if sentence_count(line.text) < 2:
        return None
    start, end = trimmed(line.text, 0, len(line.text), PIPES)
    return Fact(line.text[start:end], line.start + start, line.start + end)


# --- duties -----------------------------------------------------------------------------------------

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
             "九": 9}
ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}


def cn_number(text: str) -> int | None:
    """Chinese numerals up to 99: 一 1, 十 10, 十二 12, 二十 20, 三十一 31; None if not one."""
    if not text or any(ch not in CN_DIGITS and ch != "十" for ch in text):
        return None
    if "十" not in text:
        return CN_DIGITS[text] if len(text) == 1 else int("".join(str(CN_DIGITS[ch]) for ch in text))
    tens, _, units = text.partition("十")
    if "十" in units:
        return None
    return (CN_DIGITS[tens] if tens else 1) * 10 + (CN_DIGITS[units] if units else 0)


def roman_number(text: str) -> int | None:
    text = text.lower()
    if not text or any(ch not in ROMAN for ch in text):
        return None
    total = 0
    for i, ch in enumerate(text):
        value = ROMAN[ch]
        total += -value if i + 1 < len(text) and ROMAN[text[i + 1]] > value else value
    return total


LABEL = re.compile(
    r"(?P<paren>[(（]\s?(?P<paren_n>\d{1,3})\s?[)）])"
    r"|(?P<paren_cn>[(（](?P<paren_cn_n>[一二三四五六七八九十]{1,3})[)）])"
    r"|(?P<paren_roman>\((?P<paren_roman_n>[ivxlc]{1,6})\))"
    r"|(?P<circled>[\u2460-\u2473])"
    r"|(?P<cn_dun>(?P<cn_dun_n>[一二三四五六七八九十]{1,3})、)"
    r"|(?P<dun>(?P<dun_n>\d{1,3})、)"
    r"|(?P<dot>(?P<dot_n>\d{1,3})[.．](?!\d))"
    r"|(?P<upper_roman>(?P<upper_roman_n>[IVXLC]{1,6})\.(?=\s))"
    r"|(?P<lower_roman>(?P<lower_roman_n>[ivxlc]{1,6})\.(?=\s))"
)
STYLES = ("paren", "paren_cn", "paren_roman", "circled", "cn_dun", "dun", "dot", "upper_roman", "lower_roman")
# Inline labels (duties run together in one paragraph) follow the end of a sentence or clause.
BOUNDARY_BEFORE = set(".。;；:：\\!?！？|")


@dataclass(frozen=True)
class Label:
    style: str
    number: int
    start: int
    end: int
    at_line_start: bool


def label_value(match: re.Match) -> tuple[str, int] | None:
    style = match.lastgroup
    for name in STYLES:
        if match.group(name):
            style = name
            break
    if style == "circled":
        return style, ord(match.group("circled")) - 0x2460 + 1
    digits = match.group(f"{style}_n")
    if style in {"paren", "dun", "dot"}:
        return style, int(digits)
    if style in {"paren_cn", "cn_dun"}:
        number = cn_number(digits)
    else:
        number = roman_number(digits)
    return (style, number) if number else None


def find_labels(text: str) -> list[Label]:
    """Every place a numbered item could begin: at a line's start, or after a sentence ends."""
    found = []
    for match in LABEL.finditer(text):
        value = label_value(match)
        if value is None:
            continue
        line_start = text.rfind("\n", 0, match.start()) + 1
        lead = text[line_start:match.start()]
        after = text[match.end():match.end() + 1]
        if after and not (after.isspace() or after.isalpha() or match.group("paren_cn") or match.group("cn_dun")
                          or match.group("dun") or match.group("circled")):
            continue
        if match.group("upper_roman") or match.group("lower_roman") or match.group("dot"):
            if after and not after.isspace() and not after.isalpha():
                continue
        at_line_start = lead.strip().strip("•·*-|").strip() == ""
        if not at_line_start:
            before = text[line_start:match.start()].rstrip()
            if not before or before[-1] not in BOUNDARY_BEFORE or before == text[line_start:match.start()]:
                continue
        found.append(Label(value[0], value[1], match.start(), match.end(), at_line_start))
    return found


def _sequence(labels: list[Label], first: int, stop: int) -> list[Label]:
    """Labels of one style counting 1, 2, 3… from labels[first], all before `stop`."""
    chosen = [labels[first]]
    style = labels[first].style
    for label in labels[first + 1:]:
        if label.start >= stop:
            break
        if label.style == style and label.number == chosen[-1].number + 1:
            chosen.append(label)
    return chosen


def _top_sequence(labels: list[Label]) -> list[Label]:
    for i, label in enumerate(labels):
        if label.number == 1:
            sequence = _sequence(labels, i, len(labels) and 10**9)
            if len(sequence) >= 2:
                return sequence
    return []


def _item_text(text: str, label: Label, stop: int) -> tuple[int, int]:
    """From the end of a label to the next label or the end of its line, trimmed."""
    line_end = text.find("\n", label.end)
    end = min(stop, line_end if line_end != -1 else len(text))
    return trimmed(text, label.end, end, PIPES)


def _children(text: str, labels: list[Label], parent: Label, stop: int, top_style: str) -> list[tuple[Label, str]]:
    """Sub-items between an item and the next: another style counting from 1. Later labels of that
    style are kept as published even out of sequence (Wenzhou's (ix) after (iii)), with a note."""
    inside = [label for label in labels if parent.end <= label.start < stop and label.style != top_style]
    first = next((i for i, label in enumerate(inside) if label.number == 1), None)
    if first is None:
        return []
    style = inside[first].style
    chosen: list[tuple[Label, str]] = [(inside[first], "")]
    for label in inside[first + 1:]:
        if label.style != style:
            continue
        expected = chosen[-1][0].number + 1
        note = "" if label.number == expected else (
            f"Label {text[label.start:label.end]} is out of sequence (item {expected} expected); "
            "kept as published."
        )
        chosen.append((label, note))
    if len(chosen) < 2 and not inside[first].at_line_start:
        return []
    return chosen


DUTY_SECTION = re.compile(r"职责|职能|responsibilit|functions|duties", re.I)


def duties_section(duties: list[Fact]) -> list[Fact]:
    """A page in sections ('一、主要职责' (一)(二)… '二、内设机构' (一)…): the duties are the items of
    the one section that names them, not the section headings."""
    if len(duties) < 2 or not all(len(d.value["text"]) <= 20 and not re.search(r"[。.;；]$", d.value["text"])
                                  for d in duties):
        return duties
    named = [d for d in duties if d.children and DUTY_SECTION.search(d.value["text"])]
    if len(named) != 1:
        return duties
    return [Fact(child.value, child.start, child.end, child.flag) for child in named[0].children]


def find_duties(text: str) -> list[Fact]:
    """Numbered duties with their labels as published, sub-items nested under their item."""
    return duties_section(_numbered_items(text))


def _numbered_items(text: str) -> list[Fact]:
    labels = find_labels(text)
    top = _top_sequence(labels)
    duties = []
    for index, label in enumerate(top):
        next_top = top[index + 1].start if index + 1 < len(top) else len(text)
        line_end = text.find("\n", label.end)
        own_stop = next_top if index + 1 < len(top) else (line_end if line_end != -1 else len(text))
        children = _children(text, labels, label, next_top if index + 1 < len(top) else len(text), label.style)
        if index + 1 == len(top) and children:
            # the last item runs on through its sub-items
            last_label = children[-1][0]
            last_end = text.find("\n", last_label.end)
            own_stop = last_end if last_end != -1 else len(text)
            children = [(child, note) for child, note in children if child.start < own_stop]
        first_child = children[0][0].start if children else own_stop
        start, end = _item_text(text, label, min(first_child, own_stop))
        fact = Fact({"label": text[label.start:label.end], "text": text[start:end]}, label.start, end)
        for position, (child, note) in enumerate(children):
            child_stop = children[position + 1][0].start if position + 1 < len(children) else own_stop
            child_start, child_end = _item_text(text, child, child_stop)
            fact.children.append(Fact({"label": text[child.start:child.end], "text": text[child_start:child_end]},
                                      child.start, child_end, note))
        duties.append(fact)
    return duties


# --- contacts ---------------------------------------------------------------------------------------

CONTACT_KINDS = [
    ("supervision", re.compile(r"supervis|监督", re.I)),
    ("complaints", re.compile(r"complain|投诉|举报", re.I)),
    ("fax", re.compile(r"fax|传真", re.I)),
    ("enquiries", re.compile(r"public|enquir|inquir|consult|hotline|咨询|服务热线", re.I)),
]
EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
WEBSITE = re.compile(
    r"(?:Website|Web site|Homepage|网址|网站|门户网站)\s*[:：]\s*\|?\s*((?:https?://|www\.)[^\s|<>\"'，。]+)", re.I
)
SOURCE_URL = re.compile(r"(?:Source|来源)\s*[:：]\s*(https?://[^\s|<>\"'，。]+)", re.I)


def contact_kind(label: str) -> str:
    return next((kind for kind, pattern in CONTACT_KINDS if pattern.search(label)), "office")


def _label_before(text: str, start: int, floor: int) -> tuple[str, int]:
    """The label right before a value on its line: the last cell, up to the previous value."""
    piece = text[floor:start]
    cut = max(piece.rfind("|"), piece.rfind("，"), piece.rfind("；"), piece.rfind(";"), piece.rfind("、"))
    if cut != -1 and piece[cut + 1:].strip(PIPES + ":：") == "":
        # a table row "| tel: | 0931…": the label is the cell before
        cells = [cell for cell in piece.split("|") if cell.strip(PIPES + ":：")]
        label = cells[-1].strip(PIPES + ":：,，") if cells else ""
        return label, floor + piece.rfind(label) if label else start
    label = piece[cut + 1:] if cut != -1 else piece
    label = label.strip(PIPES + ":：,，")
    return label, (floor + piece.rfind(label)) if label else start


def find_phones(text: str, line: Line) -> list[Fact]:
    """Phone numbers with their published label, using phonenumbers' matcher (valid numbers only)."""
    facts = []
    floor = line.start
    matcher = phonenumbers.PhoneNumberMatcher(line.text, "CN", leniency=phonenumbers.Leniency.VALID)
    for match in matcher:
        start, end = line.start + match.start, line.start + match.end
        label, label_start = _label_before(text, start, floor)
        note = re.match(r"\s*[(（]([^()（）\d]{1,40})[)）]", text[end:line.end])
        fact_end = end
        if note:
            label = f"{label} ({note.group(1).strip()})" if label else note.group(1).strip()
            fact_end = end + note.end()
        floor = fact_end
        value = match.raw_string
        try:
            e164 = to_e164(value)
        except Exception:  # noqa: BLE001 — a number the matcher accepts but we cannot normalise is left unparsed
            continue
        flag = "" if label else "The page gives this number no label; name it before accepting."
        facts.append(Fact({"kind": contact_kind(label), "label": label or "Telephone", "value": value,
                           "e164": e164}, min(label_start, start), fact_end, flag))
    return facts


def find_emails(text: str, line: Line) -> list[Fact]:
    facts = []
    for match in EMAIL.finditer(line.text):
        start = line.start + match.start()
        label, label_start = _label_before(text, start, line.start)
        facts.append(Fact({"kind": "email", "label": label or "Email", "value": match.group(0), "e164": ""},
                          min(label_start, start), line.start + match.end()))
    return facts


def find_website(text: str, line: Line) -> Fact | None:
    match = WEBSITE.search(line.text)
    if not match:
        return None
    value = match.group(1).rstrip(".,;")
    label = match.group(0)[: match.group(0).index(":") if ":" in match.group(0) else match.group(0).index("：")]
    start = line.start + match.start()
    return Fact({"kind": "website", "label": label.strip(), "value": value, "e164": ""},
                start, line.start + match.start(1) + len(value))


ADDRESS = re.compile(
    r"^[\s|]*(Address and Postcode|Mailing Address|Office Address|Address|Add|地址|通讯地址|办公地址|联系地址)"
    r"\s*[:：]\s*\|?\s*(.+)$", re.I
)
POSTCODE = re.compile(r"(?:Postcode|Post code|Zip code|Zip|邮编|邮政编码)\s*[:：]\s*\|?\s*(\d{6})(?!\d)", re.I)
TRAILING_POSTCODE = re.compile(r"[,，\s]\s*(\d{6})\s*$")


def find_address(text: str, line: Line) -> tuple[Fact | None, Fact | None]:
    """'Address and Postcode: No. 33, …, 310006' → the address as published and its postcode."""
    match = ADDRESS.match(line.text)
    if not match:
        return None, None
    value_start = line.start + match.start(2)
    value = match.group(2)
    postcode = None
    inline = POSTCODE.search(value)
    if inline:
        postcode = Fact(inline.group(1), value_start + inline.start(1), value_start + inline.end(1))
        value = value[: inline.start()]
    else:
        trailing = TRAILING_POSTCODE.search(value.rstrip(PIPES))
        if trailing:
            postcode = Fact(trailing.group(1), value_start + trailing.start(1), value_start + trailing.end(1))
            value = value[: trailing.start()]
    start, end = trimmed(value, 0, len(value), PIPES + ",，;；(（")
    value = value[start:end].rstrip()
    if value.endswith(("(", "（")):
        value = value[:-1].rstrip()
    if not value:
        return None, postcode
    return Fact(value, value_start + start, value_start + start + len(value)), postcode


def find_postcode(text: str, line: Line) -> Fact | None:
    match = POSTCODE.search(line.text)
    return Fact(match.group(1), line.start + match.start(1), line.start + match.end(1)) if match else None


# --- office hours -----------------------------------------------------------------------------------

HOURS_LABEL = re.compile(
    r"^[\s|]*(?:Office Hours|Opening Hours|Working Hours|Work Hours|Business Hours|办公时间|工作时间|上班时间|办事时间)"
    r"\s*[:：]\s*\|?\s*", re.I
)
SEASONS = {"summer": ("Summer", "夏季"), "winter": ("Winter", "冬季"), "spring": ("Spring", "春季"),
           "autumn": ("Autumn", "秋季"), "夏季": ("Summer", "夏季"), "冬季": ("Winter", "冬季"),
           "春季": ("Spring", "春季"), "秋季": ("Autumn", "秋季"), "夏令时": ("Summer", "夏令时"),
           "冬令时": ("Winter", "冬令时")}
SEASON = re.compile(
    r"(Summer|Winter|Spring|Autumn|夏令时|冬令时|夏季|冬季|春季|秋季)\s*[(（]([^)）]*)[)）]\s*[:：]?", re.I
)
MONTHS = {name: i for i, name in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], start=1)}
MONTH_DAY_EN = re.compile(r"(January|February|March|April|May|June|July|August|September|October|November|December)"
                          r"\s+(\d{1,2})", re.I)
MONTH_DAY_ZH = re.compile(r"(\d{1,2}|[一二三四五六七八九十]{1,3})月(\d{1,2}|[一二三四五六七八九十]{1,3})日")
DAYS = [
    (re.compile(r"Weekdays|Monday\s*(?:to|through|-|–)\s*Friday|Mon(?:day)?\.?\s*[-–]\s*Fri(?:day)?\.?"
                r"|工作日|周一至周五|星期一至星期五|周一到周五|星期一到星期五|每周一至周五", re.I), "12345"),
    (re.compile(r"Monday\s*(?:to|through|-|–)\s*Saturday|周一至周六|星期一至星期六", re.I), "123456"),
    (re.compile(r"Every day|Daily|Monday\s*(?:to|through|-|–)\s*Sunday|每天|每日|周一至周日|星期一至星期日",
                re.I), "1234567"),
]
HOLIDAY_NOTE = re.compile(
    r"(?:[(（]?\s*(?:法定)?节假日除外\s*[)）]?|except (?:on )?(?:public|statutory) holidays)", re.I
)
CLOCK = (r"(?:(?P<{p}h>\d{{1,2}})(?:\s*[:：]\s*(?P<{p}m>\d{{2}}))?"
         r"|(?P<{p}cn>[零一二两三四五六七八九十]{{1,3}})\s*[时点](?:(?P<{p}half>半)|(?P<{p}cnm>[零一二三四五六七八九十]{{1,3}})分)?)"
         r"\s*(?P<{p}ap>a\.\s?m\.|p\.\s?m\.|am\b|pm\b|AM\b|PM\b)?")
INTERVAL = re.compile(
    r"(?P<part>上午|下午|晚上)?\s*" + CLOCK.format(p="a") + r"\s*(?:-|–|—|~|～|至|到|to)\s*"
    r"(?P<part2>上午|下午|晚上)?\s*" + CLOCK.format(p="b")
)


def _clock(match: re.Match, prefix: str) -> tuple[int, int, str] | None:
    """(hour, minute, meridiem) of one side of an interval, Chinese numerals read too."""
    if match.group(f"{prefix}h") is not None:
        hour, minute = int(match.group(f"{prefix}h")), int(match.group(f"{prefix}m") or 0)
    else:
        hour = cn_number(match.group(f"{prefix}cn").replace("两", "二"))
        if hour is None:
            return None
        minute = 30 if match.group(f"{prefix}half") else (cn_number(match.group(f"{prefix}cnm") or "") or 0)
    meridiem = (match.group(f"{prefix}ap") or "").lower().replace(".", "").replace(" ", "")
    return hour, minute, meridiem


def to_24h(hour: int, meridiem: str, part: str = "") -> int:
    if meridiem == "am":
        return 0 if hour == 12 else hour
    if meridiem == "pm" or part in {"下午", "晚上"}:
        return hour if hour >= 12 else hour + 12
    return hour


def read_interval(match: re.Match) -> tuple[str, str] | None:
    """'8:00 a.m. -12:00 p.m.' → ('08:00', '12:00'); '2:30-5:30 p.m.' → ('14:30', '17:30')."""
    start, end = _clock(match, "a"), _clock(match, "b")
    if not start or not end:
        return None
    part = match.group("part") or ""
    part_end = match.group("part2") or part
    end_hour = to_24h(end[0], end[2], part_end)
    start_meridiem = start[2]
    if not start_meridiem and end[2] == "pm" and to_24h(start[0], "pm") * 60 + start[1] < end_hour * 60 + end[1]:
        start_meridiem = "pm"  # "2:30-5:30 p.m.": one p.m. for both ends
    start_hour = to_24h(start[0], start_meridiem, part)
    opens, closes = (start_hour, start[1]), (end_hour, end[1])
    if not (0 <= opens[0] < 24 and 0 <= closes[0] <= 24 and opens < closes and opens[1] < 60 and closes[1] < 60):
        return None
    return f"{opens[0]:02d}:{opens[1]:02d}", f"{closes[0]:02d}:{closes[1]:02d}"


def month_day(match: re.Match, chinese: bool) -> str | None:
    if chinese:
        month = cn_number(match.group(1)) if not match.group(1).isdigit() else int(match.group(1))
        day = cn_number(match.group(2)) if not match.group(2).isdigit() else int(match.group(2))
    else:
        month, day = MONTHS[match.group(1).lower()], int(match.group(2))
    if not month or not day or not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{month:02d}-{day:02d}"


def read_season_range(text: str) -> tuple[str, str] | None:
    """'July 1 - September 30' / '10月1日至次年6月30日' → ('07-01', '09-30')."""
    for pattern, chinese in ((MONTH_DAY_EN, False), (MONTH_DAY_ZH, True)):
        days = [month_day(match, chinese) for match in pattern.finditer(text)]
        if len(days) == 2 and all(days):
            return days[0], days[1]
    return None


def read_weekdays(text: str) -> str | None:
    for pattern, weekdays in DAYS:
        if pattern.search(text):
            return weekdays
    return None


def find_hours(text: str, start: int, end: int) -> tuple[list[Fact], list[Fact]]:
    """Office hours in [start, end): days, split shifts, seasons. Returns (hours, notes).

    Times with no days published get no days: the fact is flagged for staff to decide."""
    segment = text[start:end]
    seasons = list(SEASON.finditer(segment))
    pieces = []
    if seasons:
        if seasons[0].start() > 0:
            pieces.append((0, seasons[0].start(), None))
        for i, season in enumerate(seasons):
            stop = seasons[i + 1].start() if i + 1 < len(seasons) else len(segment)
            pieces.append((season.start(), stop, season))
    else:
        pieces.append((0, len(segment), None))
    common_days = read_weekdays(segment[: seasons[0].start()] if seasons else segment)
    hours, notes = [], []
    for piece_start, piece_stop, season in pieces:
        piece = segment[piece_start:piece_stop]
        weekdays = read_weekdays(piece) or common_days
        season_value = {"season_name": "", "season_name_zh": "", "valid_from": "", "valid_through": ""}
        if season is not None:
            names = SEASONS[season.group(1).lower()] if season.group(1).lower() in SEASONS else SEASONS[season.group(1)]
            span = read_season_range(season.group(2))
            if span is None:
                continue  # a season we cannot date is left unparsed
            season_value = {"season_name": names[0], "season_name_zh": names[1],
                            "valid_from": span[0], "valid_through": span[1]}
            if re.search(r"[\u4e00-\u9fff]", season.group(1)):
                season_value["season_name"] = names[0]
        for match in INTERVAL.finditer(piece):
            interval = read_interval(match)
            if interval is None:
                continue
            fact_start = start + piece_start + (season.start() if season is not None and not hours else 0)
            fact_start = start + piece_start + match.start()
            value = {"weekdays": weekdays, "opens": interval[0], "closes": interval[1], **season_value}
            flag = "" if weekdays else "The page gives times but no days: choose the days before accepting."
            hours.append(Fact(value, fact_start, start + piece_start + match.end(), flag))
        for match in HOLIDAY_NOTE.finditer(piece):
            notes.append(Fact("closed on public holidays", start + piece_start + match.start(),
                              start + piece_start + match.end()))
    return hours, notes


# --- the page itself: date, source, translator, title ----------------------------------------------

PAGE_DATE = re.compile(r"(?<!\d)(\d{4})(?:-(\d{1,2})-(\d{1,2})|年(\d{1,2})月(\d{1,2})日|/(\d{1,2})/(\d{1,2}))(?!\d)")
TRANSLATOR = re.compile(
    r"(?:[(（]\s*)?(?:Translated by|Translator\s*[:：]|翻译\s*[:：]|译者\s*[:：])\s*([^)）\n|]+?)\s*(?:[)）]|$)",
    re.I | re.M,
)


def find_page_date(text: str, lines: list[Line]) -> Fact | None:
    for line in lines:
        match = PAGE_DATE.search(line.text)
        if match:
            year = int(match.group(1))
            month, day = next((int(match.group(i)), int(match.group(i + 1)))
                              for i in (2, 4, 6) if match.group(i))
            if 1990 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31:
                return Fact(f"{year:04d}-{month:02d}-{day:02d}", line.start + match.start(), line.start + match.end())
    return None


def find_source_url(text: str) -> Fact | None:
    match = SOURCE_URL.search(text)
    return Fact(match.group(1), match.start(), match.end(1)) if match else None


def find_translator(text: str) -> Fact | None:
    match = TRANSLATOR.search(text)
    return Fact(match.group(1).strip(), match.start(), match.end()) if match else None


NAVIGATION = re.compile(r"^[\s|•·>]*(?:Home|首页|中文|English|当前位置)(?:\s*[>|]|\s*$)", re.I)


def find_title(lines: list[Line], name: Fact | None, stop: int) -> Fact | None:
    """The page's heading: the first short line naming the bureau; else the first line that is not
    navigation, qualified with the bureau's name ('Institutional information: Gansu …')."""
    candidates = [line for line in lines if line.end <= stop and line.text.strip(PIPES + " ")]
    for line in candidates:
        if name and name.start >= line.start and name.end <= line.end and len(line.text.strip(PIPES)) <= 120:
            start, end = trimmed(line.text, 0, len(line.text), PIPES)
            cut = re.search(r"\s*(?:\d{4}-\d{2}-\d{2}|Date\s*:|Updated\s*:)", line.text[start:end])
            if cut:
                end = start + cut.start()
            return Fact(line.text[start:end], line.start + start, line.start + end)
    for line in candidates:
        if NAVIGATION.match(line.text):
            continue
        start, end = trimmed(line.text, 0, len(line.text), PIPES)
        heading = line.text[start:end]
        if name and len(heading) <= 80:
            return Fact(f"{heading}: {name.value}", line.start + start, line.start + end)
        return None
    return None


# --- everything -------------------------------------------------------------------------------------


def _covered(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def extract(text: str) -> Extraction:
    """Run every rule over a page's text. Facts never overlap a duty; unclaimed lines are unparsed."""
    lines = lines_of(text)
    result = Extraction()
    result.duties = find_duties(text)
    duty_spans = [(duty.start, max([duty.end] + [child.end for child in duty.children])) for duty in result.duties]
    first_duty = result.duties[0].start if result.duties else None
    outside = [line for line in lines if not _covered(duty_spans, line.start, max(line.start, line.end))
               or not line.text.strip()]
    outside_text = "\n".join(line.text for line in outside)
    result.name = find_name(text, outside)
    result.name_zh = find_name_zh(text, outside)
    result.description = find_description(outside, first_duty)
    prose = [(result.description.start, result.description.end)] if result.description else []
    scope = result.description and text[result.description.start:result.description.end]
    if scope:
        result.other_names = [Fact(f.value, f.start + result.description.start, f.end + result.description.start)
                              for f in find_other_names(scope)]
        rank = find_rank(scope)
        if rank:
            result.rank = Fact(rank.value, rank.start + result.description.start, rank.end + result.description.start)
    elif outside_text:
        for line in outside:
            if not result.other_names:
                result.other_names = [Fact(f.value, f.start + line.start, f.end + line.start)
                                      for f in find_other_names(line.text)]
            if result.rank is None:
                rank = find_rank(line.text)
                if rank:
                    result.rank = Fact(rank.value, rank.start + line.start, rank.end + line.start)
    repeated = [fact for i, fact in enumerate(result.other_names)
                if fact.value in {earlier.value for earlier in result.other_names[:i]}]
    result.notes += [Fact("other name repeated", fact.start, fact.end) for fact in repeated]
    result.other_names = [fact for fact in result.other_names if fact not in repeated]
    hours_lines = _hours_lines(text, lines, duty_spans)
    for hours_start, hours_end in hours_lines:
        hours, notes = find_hours(text, hours_start, hours_end)
        for fact in hours:
            if any(fact.value == known.value for known in result.hours):
                result.notes.append(Fact("office hours repeated", fact.start, fact.end))
            else:
                result.hours.append(fact)
        result.notes.extend(notes)
    claimed = prose + duty_spans + [(s, e) for s, e in hours_lines]
    contacts = []
    for line in outside:
        if _covered(claimed, line.start, line.end) or not line.text.strip():
            continue
        address, postcode = find_address(text, line)
        if address or postcode:
            if address and result.address is None:
                result.address = address
            elif address and address.value == result.address.value:
                result.notes.append(Fact("address repeated", address.start, address.end))
            if postcode and result.postcode is None:
                result.postcode = postcode
            continue
        website = find_website(text, line)
        if website:
            contacts.append(website)
            if result.website is None:
                result.website = Fact(website.value["value"], website.end - len(website.value["value"]), website.end)
        contacts.extend(find_phones(text, line))
        contacts.extend(find_emails(text, line))
        if result.postcode is None:
            result.postcode = find_postcode(text, line)
    result.contacts = sorted(contacts, key=lambda fact: fact.start)
    result.page_date = find_page_date(text, [line for line in outside if first_duty is None or line.end <= first_duty])
    result.origin = find_source_url(text)
    result.translator = find_translator(text)
    result.title = find_title(lines, result.name or result.name_zh, first_duty if first_duty is not None else len(text))
    result.unparsed = unparsed_lines(text, lines, result)
    return result


def _hours_lines(text: str, lines: list[Line], duty_spans) -> list[tuple[int, int]]:
    """Spans of office-hours statements: the labelled line plus following lines that open a season."""
    spans = []
    index = 0
    while index < len(lines):
        line = lines[index]
        label = HOURS_LABEL.match(line.text)
        if label and not _covered(duty_spans, line.start, line.end):
            end = line.end
            follow = index + 1
            while follow < len(lines) and (not lines[follow].text.strip() or SEASON.match(lines[follow].text.strip())):
                if lines[follow].text.strip():
                    end = lines[follow].end
                follow += 1
            spans.append((line.start + label.end(), end))
            index = follow
            continue
        index += 1
    return spans


def unparsed_lines(text: str, lines: list[Line], result: Extraction) -> list[tuple[int, int]]:
    """Lines with text that no fact touches: shown to staff, never silently dropped."""
    spans = result.spans()
    found = []
    for line in lines:
        start, end = trimmed(line.text, 0, len(line.text), PIPES)
        if start >= end:
            continue
        if not any(s < line.end and e > line.start for s, e, _ in spans):
            found.append((line.start + start, line.start + end))
    return found
