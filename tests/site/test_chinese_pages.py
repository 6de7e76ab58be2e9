"""Chinese pages carry no English the portal wrote: every English text node is published source text,
marked lang="en" (names, duties, labels as the bureaus published them)."""
import re
from html.parser import HTMLParser

import pytest

from portal.models import MESSAGE_MAX_LENGTH
from tests.site.conftest import GANSU, GUIYANG, HUAIHUA, WENZHOU, ZHEJIANG

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Not language: addresses, e-mail, file names and codes read the same in every language.
NOT_LANGUAGE = re.compile(r"^(https?://\S+|[\w.+-]+@[\w.-]+|[\w-]+\.(vcf|xml)|\+?[\d\s()./:–-]+)$")


class LanguageOfText(HTMLParser):
    """Collects (text, lang) for every text node, lang being the nearest ancestor's lang attribute."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = []
        self.texts: list[tuple[str, str]] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        lang = dict(attrs).get("lang") or (self.stack[-1][1] if self.stack else "")
        if tag in ("script", "style"):
            self.skip += 1
        if tag not in VOID:
            self.stack.append((tag, lang))

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self.skip:
            self.texts.append((text, self.stack[-1][1] if self.stack else ""))


def english_the_portal_wrote(body: str, echoed: str = "") -> list[str]:
    """Text nodes with Latin words outside lang="en" (what the visitor typed, `echoed`, aside)."""
    parser = LanguageOfText()
    parser.feed(body)
    return [
        text for text, lang in parser.texts
        if not lang.startswith("en") and not NOT_LANGUAGE.match(text)
        and LATIN_WORD.search(text.replace(echoed, "") if echoed else text)
    ]


CHINESE_PAGES = [
    "/",
    "/?q=怀化",
    "/?q=seismic",
    "/?region=620000&level=provincial_department",
    "/?q=nothing-matches-this",
    "/?level=<b>",  # a filter error
    *(f"/agencies/{slug}/" for slug in (ZHEJIANG, WENZHOU, GANSU, HUAIHUA, GUIYANG)),
    f"/agencies/{HUAIHUA}/correction/",
    "/compare/",
    "/compare/?region=330000",
    "/regions/",
    "/regions/430000/",
    "/regions/431200/",
    "/no/such/page/",
]


@pytest.mark.parametrize("path", CHINESE_PAGES)
def test_chinese_pages_have_no_english_the_portal_wrote(seed, zh_client, settings, path):
    settings.DEBUG = False
    body = zh_client.get(path).content.decode()
    assert '<html lang="zh-Hans">' in body
    query = re.search(r"[?&]q=([^&]*)", path)
    assert english_the_portal_wrote(body, echoed=query.group(1) if query else "") == []


def test_a_chinese_correction_form_with_errors_is_chinese_too(seed, zh_client):
    response = zh_client.post(f"/agencies/{HUAIHUA}/correction/", {"message": "short", "email": "not-an-address"})
    body = response.content.decode()
    assert response.status_code == 400
    assert english_the_portal_wrote(body, echoed="short") == []
    assert f"最多 {MESSAGE_MAX_LENGTH} 个字符" in body  # the hint, built in the request's language
    assert "？:" not in body and "？：" not in body  # a question needs no colon after it


def test_the_checker_finds_english_outside_lang_en():
    body = '<html lang="zh-Hans"><p>电话 <span lang="en">Tel</span></p><p>Duty 1.</p><a href="x">http://a.b/</a></html>'
    assert english_the_portal_wrote(body) == ["Duty 1."]


def test_chinese_ui_uses_full_width_colons_and_brackets(seed, zh_client):
    body = zh_client.get(f"/agencies/{HUAIHUA}/").content.decode()
    assert '<span lang="zh-Hans">冬季</span>（10月1日至6月30日）' in body
    assert "北京时间" in body and "Asia/Shanghai" not in body
    found = zh_client.get("/", {"q": "external technological cooperation"}).content.decode()
    assert '<span class="match-field">职责 10：</span>' in found


def test_english_duty_references_drop_the_labels_full_stop(seed, client):
    found = client.get("/", {"q": "external technological cooperation"}).content.decode()
    assert '<span class="match-field">Duty 10: </span>' in found
    assert "10.:" not in found
    found = client.get("/", {"q": "seismic prevention"}).content.decode()
    assert '<span class="match-field">Duty (17) 3: </span>' in found
