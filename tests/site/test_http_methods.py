"""HTTP methods on real URLs, through the WSGI application itself (the test client hides HEAD bodies)."""
import io

import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections

pytestmark = pytest.mark.django_db
GANSU = "/agencies/gansu-department-of-science-and-technology/"


@pytest.fixture
def wsgi(seed):
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    application = get_wsgi_application()

    def call(method: str, path: str) -> tuple[int, dict, bytes]:
        environ = {
            "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": io.StringIO(), "wsgi.url_scheme": "http", "HTTP_HOST": "127.0.0.1",
        }
        started = {}

        def start_response(status, headers, exc_info=None):
            started["status"], started["headers"] = int(status.split()[0]), dict(headers)

        body = b"".join(application(environ, start_response))
        return started["status"], started["headers"], body

    yield call
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize("path", ["/", GANSU, f"{GANSU}correction/", "/api/v1/", "/api/v1/agencies/", "/sitemap.xml"])
def test_head_sends_headers_and_no_body_bytes(wsgi, path):
    status, headers, body = wsgi("HEAD", path)
    get_status, _headers, get_body = wsgi("GET", path)
    assert status == get_status == 200
    assert body == b""  # gunicorn logged "sent body bytes on a no-body response" for every HEAD
    assert int(headers.get("Content-Length", len(get_body))) > 0


@pytest.mark.parametrize("path", ["/sitemap.xml", "/api/v1/", "/", GANSU, "/admin/login/"])
def test_trace_is_refused_everywhere(wsgi, path):
    status, _headers, body = wsgi("TRACE", path)
    assert status == 405
    assert b"TRACE" not in body or path.startswith("/api/")


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_api_writes_are_a_json_405_not_the_csrf_page(wsgi, method):
    status, headers, body = wsgi(method, "/api/v1/")
    assert (status, headers["Content-Type"]) == (405, "application/json")
    assert f'"Method \\"{method}\\" not allowed."'.encode() in body
    assert headers["Allow"] == "GET, HEAD, OPTIONS"


def test_options_on_the_api_docs_is_not_a_500(wsgi):
    status, headers, _body = wsgi("OPTIONS", "/api/v1/docs/")
    assert status == 200 and "GET" in headers["Allow"]
