"""Every URL pattern (site, admin, API — found by walking the resolver, so new ones are covered), with
real and junk values × HTTP methods × anonymous and every staff role: never a 5xx, never a draft's
name in an anonymous response, and the status class each kind of URL promises."""
from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.utils import translation

from agencies.models import Agency, Contact, ImportBatch
from agencies.permissions import ADMINISTRATORS, AGENCY_EDITORS, EDITORS, VIEWERS
from agencies.services import dataset_read, import_dataset
from tests.staff.conftest import _client_for, make_staff  # noqa: F401 (make_staff is a fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "DELETE", "TRACE"]
DRAFT_NAMES = ["Hidden Draft Bureau Zeta", "隐藏草稿局", "hidden-draft-zeta"]
PUBLISHED = "gansu-department-of-science-and-technology"
GROUP = re.compile(r"\(\?P<(\w+)>(?:[^()]|\([^()]*\))*\)")
CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


@dataclass(frozen=True)
class Target:
    path: str
    kind: str  # "real", "junk" or "draft"
    area: str  # "admin", "api" or "site"


def routes() -> list[str]:
    """Every pattern as route text, prefixes joined (regex and path syntax mixed), per language."""
    found: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            text = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, text)
            elif isinstance(pattern, URLPattern):
                found.append(text)

    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            walk(get_resolver().url_patterns, "/")
    return sorted(set(found))


def admin_model(route: str):
    match = re.search(r"admin/(?:\^)?(\w+)/(?:\^)?(\w+)/", route)
    if not match:
        return None
    try:
        return apps.get_model(match.group(1), match.group(2))
    except (LookupError, ValueError):
        return None


def values(name: str, route: str) -> list[tuple[str, str]]:
    """(kind, value) for one URL parameter: real ones from the database, junk ones, and a draft."""
    model = admin_model(route)
    if name == "slug":
        return [("real", PUBLISHED), ("draft", "hidden-draft-zeta"), ("junk", "no-such-agency")]
    if name == "code":
        return [("real", "620000"), ("junk", "999999")]
    if name in {"object_id", "pk", "id"} and model is not None:
        first = model._default_manager.order_by("pk").first()
        real = [("real", str(first.pk))] if first is not None else []
        return [*real, ("junk", "abc"), ("junk", "99999999")]
    if name in {"object_id", "pk", "id"}:
        batch = ImportBatch.objects.order_by("pk").first()
        return [("real", str(batch.pk)), ("junk", "abc")] if "importbatch" in route else [("junk", "abc")]
    if name == "version_id" and model is not None and hasattr(model, "history"):
        record = model.history.order_by("history_id").first()
        return ([("real", str(record.history_id))] if record else []) + [("junk", "abc")]
    if name == "content_type_id":
        from django.contrib.contenttypes.models import ContentType

        return [("real", str(ContentType.objects.get_for_model(Agency).pk)), ("junk", "99999")]
    if name == "app_label":
        return [("real", "agencies"), ("junk", "nope")]
    if name in {"url", "path"}:
        return [("junk", "no/such/page/")]
    if name == "format":
        return [("real", ".json"), ("junk", ".exe")]
    return [("junk", "x"), ("junk", "1")]


def expand(route: str) -> list[Target]:
    names = GROUP.findall(route) + CONVERTER.findall(route)
    candidates = [("real", route)]
    for name in dict.fromkeys(names):
        expanded = []
        for kind, text in candidates:
            for value_kind, value in values(name, route):
                pattern = re.compile(rf"\(\?P<{name}>(?:[^()]|\([^()]*\))*\)|<(?:\w+:)?{name}>")
                new_kind = kind if value_kind == "real" else value_kind
                expanded.append((new_kind, pattern.sub(lambda _m, v=value: v, text)))
        candidates = expanded or [("junk", CONVERTER.sub("x", GROUP.sub("x", route)))]
    targets = []
    for kind, text in candidates:
        path = text.replace("^", "").replace("$", "").replace("\\", "")
        path = re.sub(r"\(\?:[^)]*\)\??", "", path).replace("//", "/")
        area = "admin" if path.startswith("/admin/") else "api" if path.startswith("/api/") else "site"
        targets.append(Target(path, kind, area))
    return targets


def all_targets() -> list[Target]:
    targets = {target for route in routes() for target in expand(route)}
    # Logging out ends the session: leave it for last.
    return sorted(targets, key=lambda target: ("logout" in target.path, target.path, target.kind))


@pytest.fixture
def world(seed):
    """The seed, a draft that supervises a published bureau, an import batch and a correction report."""
    from agencies.models import Region
    from portal.models import CorrectionReport

    draft = Agency.objects.create(
        slug="hidden-draft-zeta", name="Hidden Draft Bureau Zeta", name_zh="隐藏草稿局",
        level=Agency.Level.PROVINCIAL_DEPARTMENT, region=Region.objects.get(code="620000"),
        status=Agency.Status.DRAFT,
    )
    Contact.objects.create(agency=draft, kind="office", label="Hidden Draft Bureau Zeta office", value="0931-8834699")
    Agency.objects.filter(slug="lanzhou-science-and-technology-bureau").update(parent=draft)
    Agency.objects.exclude(pk=draft.pk).filter(parent__isnull=True).exclude(slug=PUBLISHED).update(parent=draft)
    text = "date,kind,name,name_zh,notice\n2031-10-01,holiday,National Day,国庆节,\n"
    import_dataset(resource_name="holidays", dataset=dataset_read(data=text.encode(), file_format="csv"))
    CorrectionReport.objects.create(agency=Agency.objects.get(slug=PUBLISHED), message="The phone number changed.")
    return draft


def request(client: Client, method: str, path: str):
    return client.generic(method, path, data=b"", content_type="application/x-www-form-urlencoded",
                          HTTP_ACCEPT="text/html,application/json;q=0.9,*/*;q=0.8")


def check(response, target: Target, method: str, persona: str, problems: list[str]) -> None:
    status = response.status_code
    where = f"{persona} {method} {target.path} ({target.kind})"
    if status >= 500:
        problems.append(f"{where}: {status}")
        return
    if method == "TRACE" and status != 405:
        problems.append(f"{where}: TRACE answered {status}")
    if target.area == "api" and method in {"POST", "PUT", "DELETE", "TRACE"}:
        if status != 405 or not response["Content-Type"].startswith("application/json"):
            problems.append(f"{where}: an API write must be a JSON 405, got {status} {response['Content-Type']}")
    if method == "HEAD" and response.content:
        problems.append(f"{where}: HEAD sent a body")
    if persona == "anonymous":
        body = b"" if response.streaming else response.content
        text = body.decode("utf-8", errors="replace")
        leaked = [name for name in DRAFT_NAMES if name in text and name not in target.path]  # 404s echo the path
        if leaked:
            problems.append(f"{where}: names the draft ({', '.join(leaked)})")
        if method == "GET":
            if target.area == "admin" and "/login/" not in target.path and status not in {301, 302, 404}:
                problems.append(f"{where}: the admin must send anonymous visitors to the login, got {status}")
            if target.area != "admin":
                if target.kind == "real" and not 200 <= status < 400:
                    problems.append(f"{where}: expected 2xx/3xx, got {status}")
                if target.kind in {"junk", "draft"} and not 300 <= status < 500:
                    problems.append(f"{where}: expected 3xx/4xx, got {status}")
                if target.kind == "draft" and status not in {301, 302, 404}:
                    problems.append(f"{where}: a draft must be absent (404), got {status}")


def walk(client: Client, persona: str, targets: list[Target], methods: list[str]) -> list[str]:
    problems: list[str] = []
    for target in targets:
        for method in methods:
            try:
                response = request(client, method, target.path)
            except Exception as error:  # noqa: BLE001 — the test client re-raises what would be a 500
                problems.append(f"{persona} {method} {target.path} ({target.kind}): {type(error).__name__}: {error}")
                continue
            check(response, target, method, persona, problems)
    return problems


def test_the_walk_finds_the_site_admin_and_api_patterns(world):
    paths = {target.path for target in all_targets()}
    assert f"/agencies/{PUBLISHED}/" in paths and "/agencies/hidden-draft-zeta/" in paths
    assert "/api/v1/" in paths and "/sitemap.xml" in paths
    assert any(path.startswith("/admin/agencies/agency/") and path.endswith("/change/") for path in paths)
    prefixes = {f"/{code}/": code for code, _name in settings.LANGUAGES}
    for target in all_targets():
        if target.kind == "real" and "(?" not in target.path:
            language = next((code for prefix, code in prefixes.items() if target.path.startswith(prefix)),
                            settings.LANGUAGE_CODE)
            try:
                with translation.override(language):
                    resolve(target.path)
            except Resolver404:
                pytest.fail(f"built a path that does not resolve: {target.path}")


def test_anonymous_every_url_every_method(world, client):
    client.raise_request_exception = False
    problems = walk(client, "anonymous", all_targets(), METHODS)
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("persona", ["viewer", "agency_editor", "editor", "administrator"])
def test_every_staff_role_every_url(world, persona, make_staff):  # noqa: F811
    group = {"viewer": VIEWERS, "agency_editor": AGENCY_EDITORS, "editor": EDITORS, "administrator": ADMINISTRATORS}
    own = Agency.objects.get(slug=PUBLISHED)
    client = _client_for(make_staff(f"walker-{persona}", group[persona], agencies=(own,)))
    client.raise_request_exception = False
    targets = all_targets()
    # Every URL read and written; the other methods on each URL with its real values.
    problems = walk(client, persona, targets, ["GET", "POST"])
    problems += walk(client, persona, [target for target in targets if target.kind == "real"],
                     ["HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"])
    assert problems == [], "\n".join(problems)
