"""From the bytes staff give us to the plain text every rule reads.

HTML is parsed (selectolax's Lexbor engine), never rendered: scripts, styles and navigation are
dropped, block elements become lines, table cells are joined with " | " as on a printed page.
The encoding is the one staff chose, else the page's own `<meta charset>`, else strict UTF-8;
anything else is refused with a preview, never guessed (Big5 read as GB18030 "succeeds")."""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

MAX_PAGE_BYTES = 2 * 1024 * 1024
ENCODING_CHOICES = [("gb18030", "GB18030 / GBK (mainland China)"), ("big5", "Big5 (Taiwan, Hong Kong)")]

# Elements whose text is never part of what a bureau says about itself.
DROPPED = {"script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas",
           "nav", "header", "footer", "aside", "form", "button", "select", "head"}
BLOCKS = {"p", "div", "section", "article", "main", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3",
          "h4", "h5", "h6", "table", "tbody", "thead", "tfoot", "tr", "blockquote", "pre", "address",
          "figure", "figcaption", "hr", "body", "html", "center"}
CELLS = {"td", "th"}
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
HTML_HINT = re.compile(r"^\s*(?:<!doctype html|<html|<head|<body|<meta|<p[\s>]|<div|<table)", re.I)


class PageError(ValueError):
    """A page we refuse to read, with what to do about it."""


class EncodingNeeded(PageError):
    def __init__(self, data: bytes, detail: str = ""):
        self.data = data
        super().__init__(
            (detail or "This page is not UTF-8 and declares no encoding.")
            + " Choose the encoding it was saved in (pages from mainland China are usually GB18030/GBK)."
        )

    def preview(self, encoding: str = "gb18030", lines: int = 3) -> str:
        return "\n".join(self.data.decode(encoding, errors="replace").splitlines()[:lines])


@dataclass(frozen=True)
class PageText:
    text: str
    encoding: str  # what the bytes were read as ("" for pasted text)
    is_html: bool


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in its first 4 KiB (`<meta charset>` or http-equiv)."""
    match = META_CHARSET.search(data[:4096])
    if not match:
        return None
    name = match.group(1).decode("ascii").lower()
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_page(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """(text, encoding used). Staff's choice first, then the page's declaration, then strict UTF-8."""
    if len(data) > MAX_PAGE_BYTES:
        raise PageError(f"The page is {len(data):,} bytes; the limit is {MAX_PAGE_BYTES:,} bytes.")
    chosen = encoding or declared_charset(data)
    if chosen:
        try:
            codec = codecs.lookup(chosen).name
        except LookupError:
            raise PageError(f"Unknown encoding '{chosen}'.") from None
        if codec in {"gbk", "gb2312"}:
            codec = "gb18030"  # a superset: a GBK page that uses a rarer character still reads
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError as error:
            raise EncodingNeeded(data, f"The page is not valid {chosen} (byte {error.start}).") from None
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        raise EncodingNeeded(data) from None


def looks_like_html(text: str) -> bool:
    return bool(HTML_HINT.match(text))


def html_to_text(html: str) -> str:
    """The visible text of a page, one block per line, cells joined with ' | '."""
    tree = LexborHTMLParser(html)
    root = tree.body or tree.root
    if root is None:
        return ""
    out: list[str] = []
    _walk(root, out)
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in "".join(out).split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _ol_label(number: int, kind: str) -> str:
    """How a browser numbers an <ol> item: 1. / i. / I. (letters are left to the browser)."""
    if kind in {"i", "I"}:
        numerals = [(10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
        roman = ""
        for value, letters in numerals:
            while number >= value:
                roman, number = roman + letters, number - value
        return (roman.upper() if kind == "I" else roman) + ". "
    return f"{number}. "


def _walk(node, out: list[str]) -> None:
    """Text of `node`; the items of a numbered list (<ol>) get the number a browser shows them with."""
    counter = None
    if node.tag == "ol":
        start = (node.attributes.get("start") or "1").strip()
        counter = [int(start) if start.isdigit() else 1, (node.attributes.get("type") or "1").strip()]
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "li" and counter is not None and counter[1] in {"1", "i", "I"} and counter[0] <= 39:
            out.append("\n" + _ol_label(counter[0], counter[1]))
            counter[0] += 1
            _walk(child, out)
            out.append("\n")
        elif tag == "-text":
            out.append((child.text_content or "").replace("\n", " "))
        elif tag in DROPPED or tag == "-comment" or not child.is_element_node:
            continue
        elif tag == "br":
            out.append("\n")
        elif tag in CELLS:
            out.append(" | ")
            _walk(child, out)
        elif tag in BLOCKS:
            out.append("\n")
            _walk(child, out)
            out.append("\n")
        else:
            _walk(child, out)


def read_page(data: bytes | str, *, encoding: str | None = None, is_html: bool | None = None) -> PageText:
    """Bytes from a file or URL, or text pasted by staff, to the text the rules read."""
    if isinstance(data, bytes):
        text, used = decode_page(data, encoding)
    else:
        if len(data.encode("utf-8")) > MAX_PAGE_BYTES:
            raise PageError(f"The pasted text is longer than {MAX_PAGE_BYTES:,} bytes.")
        text, used = data, ""
    html = looks_like_html(text) if is_html is None else is_html
    if html:
        text = html_to_text(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise PageError("The page has no text to read.")
    return PageText(text=text, encoding=used, is_html=html)
