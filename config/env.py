"""The one place that reads the environment. Malformed values stop start-up with a clear message."""

import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_UNSET = object()


def _raw(name: str, default):
    value = os.environ.get(name)
    if value is None or value == "":
        if default is _UNSET:
            raise ImproperlyConfigured(f"Environment variable {name} is required but not set.")
        return None
    return value


def env_str(name: str, default=_UNSET) -> str:
    value = _raw(name, default)
    return default if value is None else value


def env_bool(name: str, default=_UNSET) -> bool:
    value = _raw(name, default)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"Environment variable {name}={value!r} is not a boolean; use one of true/false, yes/no, on/off, 1/0."
    )


def env_int(name: str, default=_UNSET) -> int:
    value = _raw(name, default)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"Environment variable {name}={value!r} is not an integer.") from None


def env_list(name: str, default=_UNSET) -> list[str]:
    value = _raw(name, default)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_url(name: str, default=_UNSET, schemes: tuple[str, ...] = ()) -> str:
    value = _raw(name, default)
    if value is None:
        return default
    parts = urlsplit(value)
    if not parts.scheme or (schemes and parts.scheme not in schemes) or not (parts.hostname or parts.path):
        allowed = ", ".join(schemes) or "any scheme"
        raise ImproperlyConfigured(f"Environment variable {name}={value!r} is not a valid URL ({allowed}).")
    return value


def database_from_url(url: str) -> dict:
    """Turns postgres://user:pass@host:port/name into a Django DATABASES entry for django-tenants."""
    parts = urlsplit(url)
    return {
        "ENGINE": "django_tenants.postgresql_backend",
        "NAME": parts.path.lstrip("/"),
        "USER": parts.username or "",
        "PASSWORD": parts.password or "",
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }
