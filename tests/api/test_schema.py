"""The OpenAPI schema, the self-hosted docs, and schemathesis fuzzing the live API against its schema."""
import pytest
import schemathesis
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS as REGISTRY
from schemathesis.checks import is_check_class, load_all_checks

API = "/api/v1"
load_all_checks()
# Every check schemathesis has (`--checks all`): server errors, status codes, content types, response
# schemas and headers, invalid data accepted, valid data refused, unsupported methods...
CHECKS = [check for check in REGISTRY.get_all() if not is_check_class(check)]
EXAMPLES_PER_OPERATION = 70
MIN_CASES = 1_000  # positive and negative modes together (each mode's share is pinned below)
OPERATIONS = {
    f"GET {API}/{path}"
    for path in ("agencies/", "agencies/{slug}/", "agencies/{slug}/status/", "duties/", "categories/", "regions/",
                 "holidays/")
}
# Random slugs only ever reach the 404; these reach every part of a profile (parent, children, e164 nulls).
KNOWN_SLUGS = [
    "gansu-department-of-science-and-technology",
    "zhejiang-department-of-science-and-technology",
    "wenzhou-science-and-technology-bureau",
]


@pytest.fixture
def live_schema(seed):
    """The schema as the running app serves it; requests go through the whole WSGI stack in-process."""
    unthrottled = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute"}}
    # As Django's test client does: a finished request must not close the test's open transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        with override_settings(REST_FRAMEWORK=unthrottled):
            yield schemathesis.openapi.from_wsgi(f"{API}/schema/?format=json", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


CASES_RUN = {"count": 0}


def fuzz(operation, mode: GenerationMode, **fixed) -> None:
    @given(case=operation.as_strategy(generation_mode=mode, **fixed))
    @hypothesis_settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                         suppress_health_check=list(HealthCheck))
    def exercise(case):
        CASES_RUN["count"] += 1
        # In-process WSGI calls get no transport decoding: ask for the identity encoding, as the
        # compression middleware would otherwise gzip (tested in tests/site/test_delivery.py).
        case.call_and_validate(checks=CHECKS, headers={"Accept-Encoding": "identity"})

    exercise()


# schemathesis.pytest.from_fixture() breaks under pytest 9 (it reads Node._nodeid), so each operation's
# strategy is driven by hypothesis directly, inside a test that has the seeded database.
@pytest.mark.slow
@pytest.mark.parametrize(
    ("mode", "cannot_be_negated", "at_least"),
    [
        (GenerationMode.POSITIVE, set(), 600),
        # Its only parameter is a free-form slug: there is no invalid value to generate.
        (GenerationMode.NEGATIVE, {f"GET {API}/agencies/{{slug}}/"}, 400),
    ],
)
def test_schemathesis_finds_no_server_error_and_no_response_off_schema(live_schema, mode, cannot_be_negated,
                                                                       at_least):
    operations = [result.ok() for result in live_schema.get_all_operations()]
    assert {operation.label for operation in operations} == OPERATIONS
    CASES_RUN["count"] = 0
    unsatisfiable = set()
    for operation in operations:
        try:
            fuzz(operation, mode)
        except Unsatisfiable:
            unsatisfiable.add(operation.label)
        if "{slug}" in operation.path and mode == GenerationMode.POSITIVE:
            for slug in KNOWN_SLUGS:
                fuzz(operation, mode, path_parameters={"slug": slug})
    assert unsatisfiable == cannot_be_negated
    print(f"schemathesis {mode.name.lower()}: {CASES_RUN['count']} cases")
    # Both modes together keep at least MIN_CASES generated cases in CI (600 + 400).
    assert CASES_RUN["count"] >= at_least


def test_schema_is_openapi_3_and_describes_every_parameter_and_field(client):
    schema = client.get(f"{API}/schema/", {"format": "json"}).json()
    assert schema["openapi"].startswith("3.")
    undescribed = [
        f"{path} {parameter['name']}"
        for path, item in schema["paths"].items()
        for parameter in item["get"].get("parameters", [])
        if not parameter.get("description")
    ]
    assert undescribed == []

    def fields_without_description(name, component):
        for field, spec in component.get("properties", {}).items():
            if not (spec.get("description") or "$ref" in spec or "allOf" in spec or spec.get("readOnly") and
                    spec.get("type") == "array" and "$ref" in spec.get("items", {})):
                yield f"{name}.{field}"

    missing = [
        field
        for name, component in schema["components"]["schemas"].items()
        if not name.startswith("Paginated")
        for field in fields_without_description(name, component)
    ]
    assert missing == []


def test_agencies_list_parameters_are_all_in_the_schema(client):
    schema = client.get(f"{API}/schema/", {"format": "json"}).json()
    names = {parameter["name"] for parameter in schema["paths"][f"{API}/agencies/"]["get"]["parameters"]}
    assert {"q", "region", "level", "category", "parent", "open_at", "modified_since", "ordering", "page",
            "page_size", "format"} <= names


def test_docs_are_served_without_any_cdn(client):
    response = client.get(f"{API}/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower() and "jsdelivr" not in html.lower()
    assert f"{API}/schema/" in html
    redoc = client.get(f"{API}/redoc/").content.decode()
    assert "/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js" in redoc
    assets = ["swagger-ui-dist/swagger-ui-bundle.js", "swagger-ui-dist/swagger-ui.css",
              "redoc/bundles/redoc.standalone.js"]
    for asset in assets:
        assert finders.find(f"drf_spectacular_sidecar/{asset}"), asset  # shipped by the sidecar package
