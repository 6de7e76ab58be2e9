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
