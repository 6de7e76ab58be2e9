import pytest
from django.urls import reverse

from portal.vcard import escape_value, fold
from tests.factories import AgencyFactory
from tests.site.conftest import GANSU, WENZHOU, ZHEJIANG


def download(client, slug: str):
    return client.get(reverse("site:agency-vcard", kwargs={"slug": slug}))


def unfold(card: str) -> list[str]:
    return card.replace("\r\n ", "").split("\r\n")


def test_vcard_is_a_valid_v3_card_with_e164_numbers_and_published_labels(seed, client):
    response = download(client, ZHEJIANG)
    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{ZHEJIANG}.vcf"'
    card = response.content.decode("utf-8")
    assert card.endswith("\r\n") and "\n" not in card.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in card.split("\r\n"))
    lines = unfold(card)
    assert lines[:2] == ["BEGIN:VCARD", "VERSION:3.0"] and lines[-2:] == ["END:VCARD", ""]
    assert "FN:Zhejiang Provincial Department of Science and Technology" in lines
    assert "NICKNAME:浙江省科学技术厅" in lines
    # The same number published twice (supervision and complaints) is one entry with both labels.
    assert "item1.TEL;TYPE=WORK,VOICE:+8657187056409" in lines
    assert "item1.X-ABLabel:Supervision Telephone / Complaint Telephone" in lines
    assert "item2.TEL;TYPE=WORK,VOICE:+8657187054007" in lines
    assert "EMAIL;TYPE=INTERNET,WORK:webmaster@zjinfo.gov.cn" in lines
    assert ("ADR;TYPE=WORK:;;No. 33\\, West Huancheng Road\\, Hangzhou (Building 4\\, Provincial Administrative "
            "Center );;;310006;China") in lines


def test_vcard_of_a_bureau_without_phone_has_no_tel_line(seed, client):
    lines = unfold(download(client, WENZHOU).content.decode())
    assert not [line for line in lines if "TEL" in line]
    assert "NOTE:http://testserver/agencies/wenzhou-science-and-technology-bureau/" in lines


def test_vcard_normalizes_international_prefix_with_trunk_zero(seed, client):
    lines = unfold(download(client, GANSU).content.decode())
    assert [line for line in lines if ".TEL" in line] == ["item1.TEL;TYPE=WORK,VOICE:+869318834621"]


def test_vcard_for_unknown_slug_is_404(db, client):
    assert download(client, "no-such-bureau").status_code == 404


@pytest.mark.parametrize(
    ("value", "escaped"),
    [("a,b;c", "a\\,b\\;c"), ("back\\slash", "back\\\\slash"), ("two\nlines", "two\\nlines")],
)
def test_vcard_values_escape_special_characters(value, escaped):
    assert escape_value(value) == escaped


def test_folding_never_splits_a_chinese_character():
    line = "NOTE:" + "科学技术局" * 20
    folded = fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line


def test_profile_links_to_the_vcard(db, client):
    agency = AgencyFactory()
    body = client.get(agency.get_absolute_url()).content.decode()
    assert f'href="/agencies/{agency.slug}/contact.vcf" download>Add to contacts (vCard)</a>' in body
