"""Malformed environment settings stop start-up with a clear message."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_url

ROOT = Path(__file__).resolve().parents[2]


def test_debug_maybe_stops_startup():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "maybe", "DJANGO_SETTINGS_MODULE": "config.settings.local"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_readers_reject_malformed_values(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "yes")
    assert env_bool("SOME_FLAG") is True
    monkeypatch.setenv("SOME_PORT", "80a")
    with pytest.raises(ImproperlyConfigured, match="not an integer"):
        env_int("SOME_PORT")
    monkeypatch.setenv("SOME_URL", "localhost:5432")
    with pytest.raises(ImproperlyConfigured, match="not a valid URL"):
        env_url("SOME_URL", schemes=("postgres",))
    with pytest.raises(ImproperlyConfigured, match="required"):
        env_bool("NOT_SET_ANYWHERE")
