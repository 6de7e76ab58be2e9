"""The first administrator without a terminal: validated like the interactive way, never "skipped"."""
import io
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def create(monkeypatch, **variables):
    for name in ("DJANGO_SUPERUSER_USERNAME", "DJANGO_SUPERUSER_EMAIL", "DJANGO_SUPERUSER_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(f"DJANGO_SUPERUSER_{name.upper()}", value)
    monkeypatch.setattr("sys.stdin", io.StringIO())  # no terminal
    out = io.StringIO()
    call_command("create_admin", stdout=out)
    return out.getvalue()


def test_without_a_terminal_and_without_the_variables_it_fails_with_exit_code_2(monkeypatch):
    with pytest.raises(CommandError, match="No terminal to ask on: set DJANGO_SUPERUSER_USERNAME") as refused:
        create(monkeypatch)
    assert refused.value.returncode == 2
    assert not get_user_model().objects.exists()


@pytest.mark.parametrize(("password", "reason"), [("abcde", "too short"), ("1234567890123", "entirely numeric"),
                                                    ("password1234", "too common")])
def test_a_password_against_the_rules_is_refused(monkeypatch, password, reason):
    with pytest.raises(CommandError, match=reason) as refused:
        create(monkeypatch, username="alice", email="alice@example.org", password=password)
    assert refused.value.returncode == 2
    assert not get_user_model().objects.exists()


def test_a_good_password_creates_the_administrator(monkeypatch):
    assert "Created administrator 'alice'" in create(monkeypatch, username="alice", email="alice@example.org",
                                                     password="lantern-orchid-basalt-77")
    user = get_user_model().objects.get(username="alice")
    assert user.is_superuser and user.check_password("lantern-orchid-basalt-77")


def test_make_superuser_uses_the_validating_command():
    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text()
    recipe = makefile.split("\nsuperuser:", 1)[1].split("\n\n", 1)[0]
    assert "manage.py create_admin" in recipe and "createsuperuser" not in recipe
