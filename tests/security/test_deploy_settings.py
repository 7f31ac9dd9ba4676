"""Production settings: `check --deploy` is clean, and secrets come from the environment only — a missing,
default or weak secret stops start-up with a message that says what to set."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from config.settings.base import DEVELOPMENT_ENCRYPTION_KEY, DEVELOPMENT_SECRET_KEY

ROOT = Path(__file__).resolve().parents[2]
GOOD_SECRET = "k" * 20 + "Zq8-Ldm3_xYv0RtWbN4pHs9JcE1uFgK7aQ2oMi"  # 58 characters, not the default
FERNET_KEY = Fernet.generate_key().decode()


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Runs manage.py with production settings and only the environment given (plus what Python needs)."""
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings.production", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DJANGO_SECRET_KEY=GOOD_SECRET, FIELD_ENCRYPTION_KEY=FERNET_KEY,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"FIELD_ENCRYPTION_KEY": FERNET_KEY}, "DJANGO_SECRET_KEY is required but not set"),
        (
            {"DJANGO_SECRET_KEY": DEVELOPMENT_SECRET_KEY, "FIELD_ENCRYPTION_KEY": FERNET_KEY},
            "development default",
        ),
        (
            {"DJANGO_SECRET_KEY": "too-short-a-secret", "FIELD_ENCRYPTION_KEY": FERNET_KEY},
            "at least 50 characters",
        ),
        ({"DJANGO_SECRET_KEY": GOOD_SECRET}, "FIELD_ENCRYPTION_KEY is required but not set"),
        (
            {"DJANGO_SECRET_KEY": GOOD_SECRET, "FIELD_ENCRYPTION_KEY": DEVELOPMENT_ENCRYPTION_KEY},
            "Fernet key",
        ),
        ({"DJANGO_SECRET_KEY": GOOD_SECRET, "FIELD_ENCRYPTION_KEY": "not-base64-at-all"}, "Fernet key"),
    ],
    ids=["no-secret", "default-secret", "short-secret", "no-key", "default-key", "malformed-key"],
)
def test_production_refuses_missing_or_default_secrets(env, message):
    result = manage("check", **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr
