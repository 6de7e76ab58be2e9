"""How responses travel: the favicon, the staff branding, compression decided per response type."""
import gzip

import pytest
from django.urls import reverse

from tests.site.conftest import HUAIHUA


def test_favicon_is_served_from_the_project(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/vnd.microsoft.icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO header, not an HTML page
    assert "max-age" in response["Cache-Control"]


def test_admin_is_branded_as_the_portal(admin_client):
    body = admin_client.get(reverse("admin:index")).content.decode()
    assert "Django administration" not in body
    assert "Bureau portal" in body


@pytest.mark.parametrize("url", [f"/agencies/{HUAIHUA}/", "/?q=foreign+experts", f"/api/v1/agencies/{HUAIHUA}/",
                                 "/api/v1/agencies/?format=csv"])
def test_html_json_and_csv_are_compressed_for_clients_that_accept_gzip(seed, client, url):
    plain = client.get(url)
    response = client.get(url, headers={"accept-encoding": "gzip, deflate, br"})
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    plain_bytes, compressed = client_bytes(plain), client_bytes(response)
    body = gzip.decompress(compressed)
    if url.startswith("/api/"):
        assert body == plain_bytes
    else:  # the same page, but each response masks its CSRF token afresh (language switch, forms)
        assert len(body) == len(plain_bytes) and body.endswith(b"</html>\n")
    assert len(compressed) < len(plain_bytes) / 2


def client_bytes(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_compressed_pages_carry_random_padding(seed, client):
    """"Heal the Breach": a page carries a CSRF token, so a file name of random length in the gzip header
    blurs a length oracle."""
    url = f"/agencies/{HUAIHUA}/"
    plain = client.get(url).content
    responses = [client.get(url, headers={"accept-encoding": "gzip"}).content for _ in range(20)]
    assert all(body[3] & gzip.FNAME for body in responses)
    assert all(len(gzip.decompress(body)) == len(plain) for body in responses)
    assert len({len(body) for body in responses}) > 1


def test_a_stored_api_answer_is_compressed_once_and_sent_as_it_is(seed, client, monkeypatch):
    """An API answer holds no secret: stored for every request, it is compressed once when stored (no
    padding) and every later request gets those bytes, with no compression of its own."""
    from portal import compression

    url = f"/api/v1/agencies/{HUAIHUA}/"
    first = client.get(url, headers={"accept-encoding": "gzip"})
    monkeypatch.setattr(compression, "compress", lambda *args: pytest.fail("compressed again"))
    responses = [client.get(url, headers={"accept-encoding": "gzip"}) for _ in range(3)]
    assert {response.content for response in responses} == {first.content}
    assert not first.content[3] & gzip.FNAME
    assert gzip.decompress(first.content) == client.get(url).content
    assert all(response["Content-Length"] == str(len(first.content)) for response in responses)


def test_compressed_api_etag_still_answers_304(seed, client):
    first = client.get(f"/api/v1/agencies/{HUAIHUA}/", headers={"accept-encoding": "gzip"})
    again = client.get(f"/api/v1/agencies/{HUAIHUA}/", headers={"accept-encoding": "gzip",
                                                                 "if-none-match": first["ETag"]})
    assert again.status_code == 304


def test_staff_pages_are_never_compressed(admin_client):
    # Private data beside reflected search input: no compression, no BREACH length oracle.
    response = admin_client.get(reverse("admin:portal_correctionreport_changelist"), {"q": "secret"},
                                headers={"accept-encoding": "gzip"})
    assert response.status_code == 200 and not response.has_header("Content-Encoding")
