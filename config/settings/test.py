from config.env import env_str

from .base import *  # noqa: F403
from .base import BASE_DIR

DEBUG = False
# Several checkouts may run their suites side by side on one PostgreSQL and Redis: each names its own.
DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DB_NAME", "test_cloudfactory")}  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# pytest-xdist runs the suite in several processes (gw0, gw1, …): pytest-django gives each its own test database
# (suffix _gw0…); each also gets its own media folder and Redis database (the base one plus its number), so their
# caches, Celery queues and files never meet.
XDIST_WORKER = env_str("PYTEST_XDIST_WORKER", "")
_worker_number = int(XDIST_WORKER[2:]) if XDIST_WORKER.startswith("gw") else 0
MEDIA_ROOT = BASE_DIR / (
    env_str("MEDIA_DIR", ".data/test-media") + (f"-{XDIST_WORKER}" if XDIST_WORKER else "")
)
# Tests use their own Redis database so they never see the development server's keys or queue.
_redis_base, _, _redis_db = env_str("TEST_REDIS_URL", f"redis://127.0.0.1:{REDIS_PORT}/1").rpartition("/")  # noqa: F405
REDIS_URL = f"{_redis_base}/{int(_redis_db or 0) + _worker_number}"
CACHES = {
    "default": {
        "BACKEND": "apps.core.redis_cache.RedisCache",  # Django's, one client per pool
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
