"""Two staff save one agency at the same moment on SQLite (the default `make run`): one save wins, the
other is refused as a lost update and shown what changed — never a 500 "database is locked"."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r'''
import threading, django
django.setup()
from django.test.utils import setup_test_environment
setup_test_environment()  # the test client records template contexts
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("load_seed", verbosity=0)
from django.db import connection
print("journal_mode", connection.cursor().execute("PRAGMA journal_mode").fetchone()[0])
from django.contrib.auth import get_user_model
from django.test import Client
from agencies import admin as agency_admin
from agencies.models import Agency
from tests.staff.helpers import change_form_data

User = get_user_model()
admin_user = User.objects.create_superuser("root", "root@example.org", "x" * 12)
agency = Agency.objects.get(slug="gansu-department-of-science-and-technology")
url = f"/admin/agencies/agency/{agency.pk}/change/"

# Both editors have read the version inside their transactions before either writes.
barrier = threading.Barrier(2, timeout=3)
original_clean = agency_admin.AgencyForm.clean
def clean_then_wait(form):
    cleaned = original_clean(form)
    try:
        barrier.wait()
    except threading.BrokenBarrierError:
        pass  # the other save is still waiting for the write lock: nothing to wait for
    return cleaned
agency_admin.AgencyForm.clean = clean_then_wait

pages, results = {}, {}
for name in ("a", "b"):
    client = Client(raise_request_exception=False)
    client.force_login(admin_user, backend="django.contrib.auth.backends.ModelBackend")
    pages[name] = (client, change_form_data(client.get(url)))

def save(name):
    client, data = pages[name]
    data = dict(data, hours_notes=f"edited by {name}")
    response = client.post(url, data)
    results[name] = (response.status_code, "not saved" in response.content.decode())
    connection.close()

threads = [threading.Thread(target=save, args=(name,)) for name in ("a", "b")]
for thread in threads: thread.start()
for thread in threads: thread.join()
print("results", sorted(results.values()))
'''


@pytest.mark.slow
@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite settings under test")
def test_two_concurrent_saves_on_sqlite_give_one_save_and_one_refusal(tmp_path):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
           "DJANGO_SETTINGS_MODULE": "portal.settings_test", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "journal_mode wal" in done.stdout
    assert "results [(200, True), (302, False)]" in done.stdout, done.stdout + done.stderr[-3000:]
    assert "database is locked" not in done.stderr
