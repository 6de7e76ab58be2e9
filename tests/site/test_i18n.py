import re

from django.urls import reverse

from tests.site.conftest import GANSU, HUAIHUA, WENZHOU


def test_language_switch_is_on_every_page_and_remembered(seed, client):
    for url in ["/", f"/agencies/{HUAIHUA}/", "/compare/", "/regions/", "/regions/430000/"]:
        body = client.get(url).content.decode()
        assert f'action="{reverse("set_language")}"' in body
        assert '<button type="submit" name="language" value="zh-hans" lang="zh-Hans">中文</button>' in body
    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": f"/agencies/{HUAIHUA}/"})
    assert response.status_code == 302 and response["Location"] == f"/agencies/{HUAIHUA}/"
    body = client.get(f"/agencies/{HUAIHUA}/").content.decode()  # the cookie remembers the choice
    assert '<html lang="zh-Hans">' in body
    assert '<span class="lang-switch__current" aria-current="true" lang="zh-Hans">中文</span>' in body


def test_chinese_profile_shows_chinese_names_first_and_marks_english_content(seed, zh_client, freeze):
    freeze(2026, 10, 2, 10, 0)
    body = zh_client.get(f"/agencies/{HUAIHUA}/").content.decode()
    assert '<h1 lang="zh-Hans">怀化市科学技术局</h1>' in body
    assert '<p class="profile__alt" lang="en">Huaihua Municipal Science and Technology Bureau</p>' in body
    assert '<a href="/regions/430000/" lang="zh-Hans">湖南省</a>' in body
    assert "国庆节休息 · 10月8日（星期四）08:00 开始办公" in body
    assert '<ol class="duties" lang="en">' in body  # duties exist only in English
    current = '<strong class="tag tag--current">当前季节</strong>'
    assert f'<span lang="zh-Hans">冬季</span> (10月1日至6月30日) {current}' in body


def test_chinese_ui_falls_back_to_english_content_with_lang_attribute(seed, zh_client):
    body = zh_client.get(f"/agencies/{GANSU}/").content.decode()
    # Other names have no Chinese translation: shown in English, marked as such.
    assert '<li lang="en">Gansu Provincial Foreign Experts Bureau</li>' in body


def test_chinese_search_results_and_unknown_hours(seed, zh_client):
    body = zh_client.get("/", {"q": "温州"}).content.decode()
    assert "找到 1 个机关" in body
    assert re.search(r'<a href="/agencies/wenzhou[\w-]+/" lang="zh-Hans">温州市科学技术局</a>', body)
    assert "未公布办公时间" in body
    assert "<title>“温州” – 搜索 · 科技局信息门户</title>" in body


def test_chinese_profile_says_phone_not_published(seed, zh_client):
    body = zh_client.get(f"/agencies/{WENZHOU}/").content.decode()
    assert "<dt>电话</dt><dd>未公布</dd>" in body
