"""Invalid parameters are a 400 whose JSON names the parameter; unknown things a JSON 404; never a 500."""
import pytest

API = "/api/v1"
GANSU = "gansu-department-of-science-and-technology"


@pytest.mark.parametrize(
    ("url", "params", "parameter"),
    [
        (f"{API}/agencies/{GANSU}/status/", {"at": "garbage"}, "at"),
        (f"{API}/agencies/{GANSU}/status/", {"at": "2026-02-30T10:00"}, "at"),
        (f"{API}/agencies/{GANSU}/status/", {"at": "9999-12-31T23:59:59-12:00"}, "at"),  # overflowed before
        (f"{API}/agencies/{GANSU}/status/", {"at": "1900-03-07T09:19:29Z"}, "at"),  # local mean time +08:05:43
        (f"{API}/agencies/", {"page": "0"}, "page"),
        (f"{API}/agencies/", {"page": "-3"}, "page"),
        (f"{API}/agencies/", {"page": "two"}, "page"),
        (f"{API}/agencies/", {"page_size": "0"}, "page_size"),
        (f"{API}/agencies/", {"page_size": "101"}, "page_size"),
        (f"{API}/agencies/", {"level": "ministry"}, "level"),
        (f"{API}/agencies/", {"q": "科" * 10_000}, "q"),
        (f"{API}/agencies/", {"q": "nul\x00byte"}, "q"),
        (f"{API}/agencies/", {"region": "99999x"}, "region"),
        (f"{API}/agencies/", {"category": "no such category!"}, "category"),
        (f"{API}/agencies/", {"parent": "no/such"}, "parent"),
        (f"{API}/agencies/", {"open_now": "null"}, "open_now"),
        (f"{API}/agencies/", {"open_now": "yes"}, "open_now"),
        (f"{API}/agencies/", {"open_now": ""}, "open_now"),
        (f"{API}/agencies/", {"page": ["1", "2"]}, "page"),
        (f"{API}/agencies/", {"page": "1.0"}, "page"),
        (f"{API}/agencies/", {"page": " 1"}, "page"),
        (f"{API}/agencies/", {"region": ""}, "region"),
        (f"{API}/agencies/{GANSU}/status/", {"at": ""}, "at"),
        (f"{API}/agencies/{GANSU}/status/", {"at": "2026-11-23 10:00"}, "at"),  # the schema's form has a T
        (f"{API}/holidays/", {"year": ""}, "year"),
        (f"{API}/agencies/", {"open_at": "tomorrow"}, "open_at"),
        (f"{API}/agencies/", {"open_at": "0001-01-01T00:00+14:00"}, "open_at"),
        (f"{API}/agencies/", {"modified_since": "yesterday"}, "modified_since"),
        (f"{API}/agencies/", {"ordering": "password"}, "ordering"),
        (f"{API}/agencies/", {"ordering": ","}, "ordering"),  # found by schemathesis: items may not be empty
        (f"{API}/agencies/", {"ordering": "name,"}, "ordering"),
        (f"{API}/duties/", {"agency": "no such agency"}, "agency"),
        (f"{API}/duties/", {"q": "x" * 10_000}, "q"),
        (f"{API}/duties/", {"page": "0"}, "page"),
        (f"{API}/regions/", {"page_size": "1000"}, "page_size"),
        (f"{API}/categories/", {"page": "x"}, "page"),
        (f"{API}/holidays/", {"year": "twenty"}, "year"),
        (f"{API}/holidays/", {"year": "99999"}, "year"),
        (f"{API}/agencies/", {"format": "xml"}, "format"),
        (f"{API}/agencies/{GANSU}/", {"format": "csv"}, "format"),  # CSV is for the list only
        (f"{API}/regions/", {"format": "yaml"}, "format"),
    ],
)
def test_invalid_parameter_is_400_naming_it(seed, client, url, params, parameter):
    response = client.get(url, params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert list(body) == [parameter]
    assert body[parameter] and all(isinstance(message, str) for message in body[parameter])


def test_error_is_json_even_when_csv_was_asked_for(seed, client):
    response = client.get(f"{API}/agencies/", {"format": "csv", "level": "ministry"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "level" in response.json()


@pytest.mark.parametrize(
    "url",
    [
        f"{API}/agencies/no-such-bureau/",
        f"{API}/agencies/no-such-bureau/status/",
        f"{API}/agencies/?page=99",
        f"{API}/no-such-endpoint/",
        f"{API}/agencies/{GANSU}/contacts/",
        f"{API}/agencies/not%20a%20slug/",
        f"{API}/agencies/dotted.%0Aslug/",  # schemathesis: a newline escaped the catch-all into the site's 404
    ],
)
def test_unknown_things_are_json_404(seed, client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_path_without_slash_is_redirected_not_a_404(seed, client):
    response = client.get(f"{API}/agencies")
    assert response.status_code == 301 and response["Location"] == f"{API}/agencies/"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_are_refused(seed, client, method):
    response = getattr(client, method)(f"{API}/agencies/{GANSU}/", content_type="application/json")
    assert response.status_code == 405
    assert response.json() == {"detail": f'Method "{method.upper()}" not allowed.'}


def test_api_root_lists_the_endpoints(db, client):
    assert client.get(f"{API}/").json() == {
        "agency": f"http://testserver{API}/agencies/",
        "duty": f"http://testserver{API}/duties/",
        "category": f"http://testserver{API}/categories/",
        "region": f"http://testserver{API}/regions/",
        "holidays": f"http://testserver{API}/holidays/",
        "schema": f"http://testserver{API}/schema/",
        "docs": f"http://testserver{API}/docs/",
    }


def test_unsupported_accept_is_406_in_json(seed, client):
    response = client.get(f"{API}/agencies/", HTTP_ACCEPT="application/xml")
    assert response.status_code == 406
    assert response.json()["detail"].startswith("Could not satisfy the request Accept header")


@pytest.mark.parametrize(
    ("url", "parameter"),
    [(f"{API}/agencies/", name) for name in
     ("q", "region", "level", "category", "parent", "open_at", "modified_since", "ordering", "page", "page_size")]
    + [(f"{API}/duties/", name) for name in ("q", "category", "agency", "region")]
    + [(f"{API}/agencies/{GANSU}/status/", "at"), (f"{API}/holidays/", "year")],
)
def test_nul_byte_in_any_parameter_is_400_not_a_database_error(seed, client, url, parameter):
    """PostgreSQL refuses NUL in text: it must be stopped before any query."""
    response = client.get(url, {parameter: "62\x000000"})
    assert response.status_code == 400
    assert parameter in response.json()


@pytest.mark.parametrize(
    ("url", "params"),
    [
        (f"{API}/agencies/", {"region": "999999"}),
        (f"{API}/agencies/", {"category": "no-such-category"}),
        (f"{API}/agencies/", {"parent": "no-such-agency"}),
        (f"{API}/duties/", {"agency": "no-such-agency"}),
        (f"{API}/duties/", {"region": "999999"}),
    ],
)
def test_a_well_formed_key_that_names_nothing_lists_nothing(seed, client, url, params):
    # The schema allows any six digits or slug: such a value is not an error, it just matches nothing.
    response = client.get(url, params)
    assert (response.status_code, response.json()["count"]) == (200, 0)


def test_open_now_accepts_exactly_true_and_false(seed, client):
    assert client.get(f"{API}/agencies/", {"open_now": "true"}).status_code == 200
    assert client.get(f"{API}/agencies/", {"open_now": "false"}).json()["count"] == 5
