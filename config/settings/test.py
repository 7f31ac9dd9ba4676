from config.env import env_str

from .base import *  # noqa: F403
from .base import BASE_DIR

DEBUG = False
# Several checkouts may run their suites side by side on one PostgreSQL and Redis: each names its own.
DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DB_NAME", "test_cloudfactory")}  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / env_str("MEDIA_DIR", ".data/test-media")
# Tests use their own Redis database so they never see the development server's keys or queue.
REDIS_URL = env_str("TEST_REDIS_URL", f"redis://127.0.0.1:{REDIS_PORT}/1")  # noqa: F405
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "KEY_PREFIX": "cftest",
    }
}
CELERY_BROKER_URL = REDIS_URL
# A killed worker's task is redelivered after this many seconds instead of an hour.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 5}
# The whole suite signs in from 127.0.0.1: only tests/security sets tight failed sign-in limits (per test).
LOGIN_THROTTLE = {"PER_EMAIL": 10_000, "PAIR_FREE": 50, "PER_ADDRESS": 10_000, "WINDOW_S": 900}
PASSWORD_RESET_THROTTLE = {"PER_EMAIL": 50, "PER_ADDRESS": 10_000, "WINDOW_S": 3600}
SIGNUP_THROTTLE = {"PER_EMAIL": 50, "PER_ADDRESS": 10_000, "WINDOW_S": 3600}
QUOTE_THROTTLE_RATE = "100000/min"  # tests/storefront/test_quote_throttle.py sets a tight one
