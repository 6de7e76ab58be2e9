"""Settings come from the environment through small typed readers; production fails fast."""
import os
import subprocess
import sys

import pytest

from portal.env import envbool, envint, envlist


@pytest.mark.parametrize(("raw", "value"), [("1", True), ("true", True), ("off", False), ("", False)])
def test_envbool(monkeypatch, raw, value):
    monkeypatch.setenv("X_FLAG", raw)
    assert envbool("X_FLAG") is value


def test_envbool_rejects_nonsense(monkeypatch):
    monkeypatch.setenv("X_FLAG", "perhaps")
    with pytest.raises(ValueError, match="X_FLAG"):
        envbool("X_FLAG")


def test_envint_and_envlist(monkeypatch):
    monkeypatch.setenv("X_INT", "42")
    monkeypatch.setenv("X_LIST", "a.example, b.example,")
    assert envint("X_INT", 1) == 42
    assert envlist("X_LIST") == ["a.example", "b.example"]
    monkeypatch.setenv("X_INT", "many")
    with pytest.raises(ValueError, match="X_INT"):
        envint("X_INT", 1)


def _python(code: str, **overrides: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SECRET_KEY", "DJANGO_DEBUG"}}
    env.update(DJANGO_SETTINGS_MODULE="portal.settings", **overrides)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)


def test_the_web_process_refuses_to_start_without_a_secret_key():
    result = _python("import portal.wsgi")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr
    assert _python("import portal.wsgi", DJANGO_SECRET_KEY="k" * 50).returncode == 0


def test_management_commands_run_without_a_secret_but_the_deploy_check_fails():
    assert _python("import django; django.setup()").returncode == 0
    check = _python("import django; django.setup(); from django.core.management import call_command; "
                    "call_command('check', deploy=True, fail_level='WARNING')",
                    DJANGO_SECURE_SSL="true", DJANGO_ALLOWED_HOSTS="portal.example.org")
    assert check.returncode != 0
    assert "security.W009" in check.stderr
