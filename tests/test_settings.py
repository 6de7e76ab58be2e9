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


def test_production_settings_fail_fast_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SECRET_KEY", "DJANGO_DEBUG"}}
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    result = subprocess.run([sys.executable, "-c", "import django; django.setup()"], env=env,
                            capture_output=True, text=True, check=False)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr
