"""Production: secrets from the environment only (never the development defaults), HTTPS everywhere.

`DJANGO_SECRET_KEY=… FIELD_ENCRYPTION_KEY=… DJANGO_SETTINGS_MODULE=config.settings.production
manage.py check --deploy` is clean (tests/security/test_deploy_settings.py).
"""

import base64
import binascii

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_str

from .base import *  # noqa: F403
from .base import DEVELOPMENT_ENCRYPTION_KEY, DEVELOPMENT_SECRET_KEY

DEBUG = False
LOG_FORMAT = env_str("LOG_FORMAT", "json")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT  # noqa: F405

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be a random value of at least 50 characters, not the development default "
        "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
    )

FIELD_ENCRYPTION_KEY = env_str("FIELD_ENCRYPTION_KEY")
try:
    _key_bytes = base64.urlsafe_b64decode(FIELD_ENCRYPTION_KEY.encode())
except (binascii.Error, ValueError):
    _key_bytes = b""
if FIELD_ENCRYPTION_KEY == DEVELOPMENT_ENCRYPTION_KEY or len(_key_bytes) != 32:
    raise ImproperlyConfigured(
        "FIELD_ENCRYPTION_KEY must be a Fernet key of your own, not the development default "
        "(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')."
    )

# Behind a TLS-terminating reverse proxy that sets X-Forwarded-Proto and appends to X-Forwarded-For.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# bench_pages' anonymous floor page (apps/demo/pages/floor.py) is a benchmark's route, never a production one.
BENCH_FLOOR_PAGE = False
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
