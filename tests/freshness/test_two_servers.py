"""The production shape: two app servers on one PostgreSQL and one Redis. An edit through one shows
through the other at once (shared cache, never stale), staff sessions and API rate limits are shared.

Runs when DATABASE_URL is PostgreSQL and REDIS_URL is set (the second pass of .ci/run)."""
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
GANSU = "gansu-department-of-science-and-technology"
RATE = 12
PASSWORD = "correct horse battery staple"

pytestmark = pytest.mark.skipif(
    not (os.environ.get("DATABASE_URL", "").startswith("postgres") and settings.REDIS_URL),
    reason="needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL), as in the second pass of .ci/run",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def two_servers(transactional_db):
    """Two gunicorn servers (one sync worker each) on the test database, sharing Redis."""
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings_test",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "CACHE_KEY_PREFIX": f"two-servers-{uuid.uuid4().hex[:8]}",
        "API_ANON_RATE": f"{RATE}/minute",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    }
    ports = [free_port(), free_port()]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "portal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1",
             "--timeout", "30"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        for port in ports
    ]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for base, process in zip(bases, processes, strict=True):
            deadline = time.monotonic() + 30
            while True:
                try:
                    if requests.get(f"{base}/healthz", timeout=10).status_code == 200:
                        break
                except (requests.ConnectionError, requests.Timeout):
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"app server {base} did not start: {process.stderr.read().decode()[-2000:]}")
                time.sleep(0.2)
        yield bases
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)


def test_edit_through_one_server_reads_through_the_other_at_once(two_servers):
    call_command("load_seed", verbosity=0)
    get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    one, two = two_servers
    api_calls = 0

    for base in (one, two):
        health = requests.get(f"{base}/healthz", timeout=5)
        assert health.json() == {"status": "ok", "database": "ok", "redis": "ok"}

    # Server two renders and caches the profile and the API answer.
    for _ in range(2):
        assert requests.get(f"{two}/agencies/{GANSU}/", timeout=10).status_code == 200
        listing = requests.get(f"{two}/api/v1/agencies/?region=620000", timeout=10)
        api_calls += 1
    assert GANSU in listing.text

    # Staff sign in on server one and unpublish Gansu there.
    staff = requests.Session()
    staff.get(f"{one}/admin/login/", timeout=10)
    login = staff.post(f"{one}/admin/login/?next=/admin/", data={
        "username": "root", "password": PASSWORD, "csrfmiddlewaretoken": staff.cookies["csrftoken"],
    }, headers={"Referer": f"{one}/admin/login/"}, timeout=10)
    assert login.url.endswith("/admin/"), login.text[:500]
    changelist = f"{one}/admin/agencies/agency/"
    gansu_id = get_user_model()._meta.apps.get_model("agencies", "Agency").objects.get(slug=GANSU).pk
    staff.get(changelist, timeout=10)
    action = staff.post(changelist, data={
        "action": "unpublish", "_selected_action": [gansu_id], "csrfmiddlewaretoken": staff.cookies["csrftoken"],
    }, headers={"Referer": changelist}, timeout=10)
    assert action.status_code == 200 and action.url == changelist

    # Server two, straight after: the cached page and API answer are gone.
    assert requests.get(f"{two}/agencies/{GANSU}/", timeout=10).status_code == 404
    again = requests.get(f"{two}/api/v1/agencies/?region=620000", headers={"If-None-Match": listing.headers["ETag"]},
                         timeout=10)
    api_calls += 1
    assert again.status_code == 200 and GANSU not in again.text

    # The staff session made on server one is good on server two (sessions live in the database/Redis).
    assert staff.get(f"{two}/admin/", allow_redirects=False, timeout=10).status_code == 200

    # One rate limit across both servers: the answers left are shared, whichever server asks.
    statuses = []
    for number in range(RATE - api_calls + 1):
        base = (one, two)[number % 2]
        statuses.append(requests.get(f"{base}/api/v1/categories/", timeout=10).status_code)
    assert statuses[:-1] == [200] * (RATE - api_calls) and statuses[-1] == 429
    assert requests.get(f"{one}/api/v1/categories/", timeout=10).status_code == 429
