"""Facts shown as the pages publish them: one number once with all its labels, sources as published,
no supervising link no page records."""
import re

from agencies.models import Contact
from tests.site.conftest import GANSU, HUAIHUA, WENZHOU, ZHEJIANG


def contact_block(body: str) -> str:
    return re.search(r'<h2 id="contact">.*?</dl>', body, re.S).group(0)


def test_a_number_published_twice_is_shown_once_with_every_published_label(seed, client):
    assert Contact.objects.filter(agency__slug=GANSU, e164="+869318834621").count() == 2  # data as published
    block = contact_block(client.get(f"/agencies/{GANSU}/").content.decode())
    assert block.count('href="tel:+869318834621"') == 1
    assert '<span lang="en">tel</span> 00-86-0931-8834621' in block
    assert '<span lang="en">Contact (Department Office)</span> 0931-8834621' in block
    assert "<dt>Office telephone</dt>" in block  # the portal's own label, not the raw "tel"


def test_two_kinds_of_one_number_name_both_kinds(seed, client):
    block = contact_block(client.get(f"/agencies/{ZHEJIANG}/").content.decode())
    assert block.count('href="tel:+8657187056409"') == 1
    assert "<dt>Supervision telephone / Complaints telephone</dt>" in block


def test_chinese_contact_labels_are_chinese_and_published_ones_marked_english(seed, zh_client):
    block = contact_block(zh_client.get(f"/agencies/{HUAIHUA}/").content.decode())
    assert "<dt>办公电话</dt>" in block
    assert '（原文：<span lang="en">Tel</span> 0745-2712900）' in block


def test_wenzhou_page_names_no_supervising_agency(seed, client):
    body = client.get(f"/agencies/{WENZHOU}/").content.decode()
    assert "Supervised by" not in body and ZHEJIANG not in body


def test_a_source_line_the_page_prints_is_shown_as_such_not_as_the_pages_address(seed, client):
    body = client.get(f"/agencies/{HUAIHUA}/").content.decode()
    source = re.search(r'<h2 id="source">.*?</section>', body, re.S).group(0)
    assert '<dt>Source (as published)</dt><dd lang="en">http://www.huaihua.gov.cn/</dd>' in source
    assert 'href="http://www.huaihua.gov.cn/"' not in source  # the page's own URL is not known
    assert '<dd lang="en">Huaihua Municipal Science and Technology Bureau</dd>' in source


def test_hours_as_published_are_quoted_and_our_reading_is_in_the_pages_language(seed, client, zh_client):
    english = client.get(f"/agencies/{HUAIHUA}/").content.decode()
    assert '<q lang="en">Summer (July 1 - September 30): 8:00 a.m. -12:00 p.m.' in english
    assert '<span lang="en">The page names no days.' in english
    chinese = zh_client.get(f"/agencies/{HUAIHUA}/").content.decode()
    assert '原文：<q lang="en">Summer (July 1 - September 30)' in chinese
    assert '<span lang="zh-Hans">该页面未写明办公日。' in chinese
    assert "The page names no days" not in chinese


def test_a_supervising_link_is_named_only_with_its_recorded_source(wenzhou_under_zhejiang, client):
    from agencies.models import Agency

    body = client.get(f"/agencies/{WENZHOU}/").content.decode()
    assert f'Supervised by <a href="/agencies/{ZHEJIANG}/"' in body
    assert "as recorded: <span lang=\"en\">Test page: “under the Zhejiang" in body
    Agency.objects.filter(slug=WENZHOU).update(parent_source="")
    assert "Supervised by" not in client.get(f"/agencies/{WENZHOU}/").content.decode()
