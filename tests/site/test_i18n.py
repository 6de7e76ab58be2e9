import re

import pytest
from django.conf import settings
from django.urls import reverse

from tests.site.conftest import GANSU, HUAIHUA, WENZHOU

PAGES = ["/", "/?q=seismic", f"/agencies/{HUAIHUA}/", f"/agencies/{HUAIHUA}/correction/", "/compare/", "/regions/",
         "/regions/430000/"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_its_own_url_per_language_with_hreflang_alternates_and_canonical(seed, client, path):
    english = client.get(path).content.decode()
    chinese = client.get(f"/zh-hans{path}").content.decode()
    assert '<html lang="en">' in english and '<html lang="zh-Hans">' in chinese
    for body in (english, chinese):
        assert f'<link rel="alternate" hreflang="en" href="http://testserver{path}">' in body
        assert f'<link rel="alternate" hreflang="zh-Hans" href="http://testserver/zh-hans{path}">' in body
        assert f'<link rel="alternate" hreflang="x-default" href="http://testserver{path}">' in body
    canonical = r'<link rel="canonical" href="http://testserver(/zh-hans)?/'
    assert re.search(canonical, english).group(1) is None
    assert re.search(canonical, chinese).group(1) == "/zh-hans"


@pytest.mark.parametrize("path", PAGES)
def test_the_switcher_keeps_you_on_the_same_page_both_ways(seed, client, path):
    english = client.get(path).content.decode()
    assert '<input type="hidden" name="next" value="/zh-hans' + path.replace("&", "&amp;") + '">' in english
    assert '<button type="submit" name="language" value="zh-hans" lang="zh-Hans">中文</button>' in english
    assert '<span class="lang-switch__current" aria-current="true" lang="en">English</span>' in english
    chinese = client.get(f"/zh-hans{path}").content.decode()
    assert f'<input type="hidden" name="next" value="{path}">' in chinese
    assert '<span class="lang-switch__current" aria-current="true" lang="zh-Hans">中文</span>' in chinese


def test_choosing_a_language_goes_to_that_page_and_is_remembered_for_a_year(seed, client):
    page = f"/agencies/{HUAIHUA}/"
    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": f"/zh-hans{page}"})
    assert response.status_code == 302 and response["Location"] == f"/zh-hans{page}"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "zh-hans" and int(cookie["max-age"]) == 365 * 24 * 60 * 60
    # Back later on an English address (a bookmark, the home page): the remembered choice applies.
    again = client.get(page, {"x": "1"})
    assert again.status_code == 302 and again["Location"] == f"/zh-hans{page}?x=1"
    assert "Cookie" in again["Vary"] and "private" in again["Cache-Control"]
    response = client.post(reverse("set_language"), {"language": "en", "next": page})
    assert response["Location"] == page
    assert client.get(page).status_code == 200  # English chosen: no redirect


def test_the_api_admin_and_sitemap_stay_unprefixed_whatever_the_cookie(seed, zh_client):
    assert zh_client.get("/api/v1/agencies/").status_code == 200
    assert zh_client.get("/sitemap.xml").status_code == 200
    assert zh_client.get("/robots.txt").status_code == 200
    assert zh_client.get("/zh-hans/api/v1/agencies/").status_code == 404
    body = zh_client.get(f"/api/v1/agencies/{HUAIHUA}/").json()
    assert body["web_url"] == f"http://testserver/agencies/{HUAIHUA}/"


def test_sitemap_lists_each_page_in_both_languages_with_alternates(seed, client):
    body = client.get("/sitemap.xml").content.decode()
    assert f"<loc>http://testserver/agencies/{HUAIHUA}/</loc>" in body
    assert f"<loc>http://testserver/zh-hans/agencies/{HUAIHUA}/</loc>" in body
    assert (f'<xhtml:link rel="alternate" hreflang="zh-hans" href="http://testserver/zh-hans/agencies/{HUAIHUA}/"/>'
            in body)
    assert f'<xhtml:link rel="alternate" hreflang="x-default" href="http://testserver/agencies/{HUAIHUA}/"/>' in body


def test_chinese_profile_shows_chinese_names_first_and_marks_english_content(seed, zh_client, freeze):
    freeze(2026, 10, 2, 10, 0)
    body = zh_client.get(f"/agencies/{HUAIHUA}/").content.decode()
    assert '<h1 lang="zh-Hans">怀化市科学技术局</h1>' in body
    assert '<p class="profile__alt" lang="en">Huaihua Municipal Science and Technology Bureau</p>' in body
    assert '<a href="/zh-hans/regions/430000/" lang="zh-Hans">湖南省</a>' in body
    assert "国庆节休息 · 10月8日（星期四）08:00 开始办公" in body
    assert '<ol class="duties" lang="en">' in body  # duties exist only in English
    current = '<strong class="tag tag--current">当前季节</strong>'
    assert f'<span lang="zh-Hans">冬季</span>（10月1日至6月30日） {current}' in body


def test_chinese_ui_falls_back_to_english_content_with_lang_attribute(seed, zh_client):
    body = zh_client.get(f"/agencies/{GANSU}/").content.decode()
    # Other names have no Chinese translation: shown in English, marked as such.
    assert '<li lang="en">Gansu Provincial Foreign Experts Bureau</li>' in body


def test_chinese_search_results_and_unknown_hours(seed, zh_client):
    body = zh_client.get("/", {"q": "温州"}).content.decode()
    assert "找到 1 个机关" in body
    assert re.search(r'<a href="/zh-hans/agencies/wenzhou[\w-]+/" lang="zh-Hans">温州市科学技术局</a>', body)
    assert "未公布办公时间" in body
    assert "<title>“温州” – 搜索 · 科技局信息门户</title>" in body


def test_chinese_profile_says_phone_not_published(seed, zh_client):
    body = zh_client.get(f"/agencies/{WENZHOU}/").content.decode()
    assert "<dt>电话</dt><dd>未公布</dd>" in body


def _po_entries(path):
    """(context, msgid, plural, [msgstr…]) of every translated, non-fuzzy entry of a .po file."""
    entries, entry, field, fuzzy = [], None, None, False

    def close():
        if entry and entry["msgid"] and any(entry["msgstr"]) and not entry["fuzzy"]:
            entries.append((entry["msgctxt"], entry["msgid"], entry["msgid_plural"], entry["msgstr"]))

    for line in path.read_text(encoding="utf-8").splitlines():
        keyword, _space, rest = line.partition(" ")
        if line.startswith("#,"):
            fuzzy = fuzzy or "fuzzy" in line
        elif keyword == "msgctxt" or (keyword == "msgid" and field != "msgctxt"):
            close()
            entry = {"msgctxt": None, "msgid": "", "msgid_plural": None, "msgstr": [], "fuzzy": fuzzy}
            fuzzy, field = False, keyword
            entry[keyword] = _po_string(rest)
        elif keyword in ("msgid", "msgid_plural"):
            field = keyword
            entry[keyword] = _po_string(rest)
        elif keyword.startswith("msgstr"):
            field = "msgstr"
            entry["msgstr"].append(_po_string(rest))
        elif line.startswith('"') and entry is not None:
            if field == "msgstr":
                entry["msgstr"][-1] += _po_string(line)
            else:
                entry[field] = (entry[field] or "") + _po_string(line)
    close()
    return entries


def _po_string(quoted: str) -> str:
    import ast

    return ast.literal_eval(quoted)


def test_the_compiled_chinese_catalogue_says_what_the_po_file_says():
    """The .mo is committed: a .po edit without `compilemessages` left "Did you mean", "Seat" and the
    partial-match notice in English on the Chinese pages."""
    import gettext
    from pathlib import Path

    folder = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as file:
        compiled = gettext.GNUTranslations(file)
    entries = _po_entries(folder / "django.po")
    assert len(entries) > 150
    stale = []
    for context, msgid, plural, msgstr in entries:
        if plural is not None:
            got = compiled.npgettext(context, msgid, plural, 1) if context else compiled.ngettext(msgid, plural, 1)
        else:
            got = compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)
        if got != msgstr[0]:
            stale.append(msgid)
    assert stale == []


def test_chinese_search_says_did_you_mean_in_chinese(seed, zh_client):
    body = zh_client.get("/zh-hans/", {"q": "怀华"}).content.decode()
    assert "您是不是要找" in body and "Did you mean" not in body
