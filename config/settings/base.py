"""Settings shared by every environment. Environment-specific modules only override."""

from pathlib import Path

from config.env import database_from_url, env_bool, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# Production refuses these development defaults (config/settings/production.py).
DEVELOPMENT_SECRET_KEY = "insecure-development-key-change-me-in-production-0123456789"  # noqa: S105 - refused in production
DEVELOPMENT_ENCRYPTION_KEY = "Zm9yLWRldmVsb3BtZW50LW9ubHktMzItYnl0ZXMtISE="
SECRET_KEY = env_str("DJANGO_SECRET_KEY", DEVELOPMENT_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)
PLATFORM_DOMAIN = env_str("PLATFORM_DOMAIN", "localhost")
PLATFORM_PORT = env_int("PLATFORM_PORT", 8000)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [PLATFORM_DOMAIN, f".{PLATFORM_DOMAIN}", "127.0.0.1"])

# --- Tenancy (django-tenants): public schema = tenants + the operator's users; tenant schemas = the rest.
SHARED_APPS = [
    # Before django_tenants so that our create_tenant command (the provisioning service) wins.
    "apps.core",
    "apps.tenants",
    "django_tenants",
    "apps.accounts",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_prometheus",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.admin",
    "apps.accounts",
    "apps.processes",
    "apps.catalog",
    "apps.suppliers",
    "apps.designers",
    "apps.outbox",
    "apps.orders",
    "apps.uploads",
    "apps.matching",
    "apps.storefront",
    "apps.portal",
    "apps.backoffice",
    "apps.payouts",
]
INSTALLED_APPS = [*SHARED_APPS, *(app for app in TENANT_APPS if app not in SHARED_APPS), "apps.demo"]

TENANT_MODEL = "tenants.Tenant"
TENANT_DOMAIN_MODEL = "tenants.Domain"
TENANT_BASE_SCHEMA = "tenant_base"
TENANT_CREATION_FAKES_MIGRATIONS = True
# `SET search_path` once per connection and tenant switch, not before every statement (it was half of all
# statements). Safe because the backend forgets the path on close, rollback and savepoint rollback (a rolled-back
# SET is undone by PostgreSQL) and on every set_tenant(); tests/tenants/test_search_path.py holds it to that.
TENANT_LIMIT_SET_CALLS = True
# `migrate_schemas --executor=multiprocessing` prepares the migration graph and states once per process and
# skips what a schema does not need (apps/tenants/migration_executor.py, docs/fleet.md).
GET_EXECUTOR_FUNCTION = "apps.tenants.migration_executor.executor_for"
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
ROOT_URLCONF = "config.urls_tenants"
SHOW_PUBLIC_IF_NO_TENANT_FOUND = False
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]

MIDDLEWARE = [
    # /healthz, /readyz and /metrics on any host, before routing (apps.tenants.probes.py).
    "apps.tenants.probes.ProbesMiddleware",
    # X-Request-ID in, out and on every log line of the request (apps/core/logs.py).
    "apps.core.logs.RequestIdMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "apps.tenants.middleware.TenantMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # CSP with a per-request nonce, Permissions-Policy (apps/core/security.py).
    "apps.core.security.SecurityHeadersMiddleware",
    "apps.core.security.NulCharacterGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]
# Who may read /metrics: a bearer token, or (when empty) only loopback.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "apps.tenants.context_processors.current_network",
                "apps.accounts.context_processors.header",
                "apps.storefront.context_processors.cart",
            ],
        },
    }
]

WSGI_APPLICATION = "config.wsgi.application"

# The private services' ports (scripts/services.sh reads the same variables).
PG_PORT = env_int("PG_PORT", 54329)
REDIS_PORT = env_int("REDIS_PORT", 63790)
STRIPE_PORT = env_int("STRIPE_PORT", 8420)

DATABASE_URL = env_url(
    "DATABASE_URL",
    f"postgres://cloudfactory@127.0.0.1:{PG_PORT}/cloudfactory",
    schemes=("postgres", "postgresql"),
)
DATABASES = {"default": database_from_url(DATABASE_URL)}
# Django's psycopg pool (per process, at most DATABASE_POOL_MAX_SIZE connections) instead of persistent connections
# when > 0; docs/performance.md compares them. django-tenants forgets the search_path whenever a connection goes back
# to the pool, so the next checkout sets it again (tests/tenants/test_search_path.py).
DATABASE_POOL_MAX_SIZE = env_int("DATABASE_POOL_MAX_SIZE", 0)
if DATABASE_POOL_MAX_SIZE > 0:
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # Django refuses a pool with persistent connections
    DATABASES["default"]["OPTIONS"] = {
        "pool": {"min_size": 1, "max_size": DATABASE_POOL_MAX_SIZE, "timeout": 10}
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_url("REDIS_URL", f"redis://127.0.0.1:{REDIS_PORT}/0", schemes=("redis", "rediss"))
CACHES = {
    "default": {
        "BACKEND": "apps.core.redis_cache.RedisCache",  # Django's, one client per pool
        "LOCATION": REDIS_URL,
        # Every key carries the schema of the tenant that wrote it: one network never reads another's cache.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "KEY_PREFIX": "cf",
    }
}

AUTH_USER_MODEL = "accounts.User"
# Every password sign-in (login page, network admin, operator admin) passes the failed sign-in throttle, which
# ends authentication on a failure; the plain ModelBackend is listed only so that sessions the sign-up and
# invitation pages started with it (before they named accounts.backends.SESSION_BACKEND) keep resolving their user.
AUTHENTICATION_BACKENDS = [
    "apps.accounts.backends.ThrottledModelBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failed sign-ins (apps/accounts/throttle.py): an address is refused after PER_ADDRESS failures per window; one
# account from one address slows down (DELAY_BASE_S doubling, up to DELAY_MAX_S) after PAIR_FREE failures, after
# one once the account has PER_EMAIL failures from everywhere. The right password from a clean address always works.
LOGIN_THROTTLE = {
    "PER_ADDRESS": env_int("LOGIN_THROTTLE_PER_ADDRESS", 20),
    "PER_EMAIL": env_int("LOGIN_THROTTLE_PER_EMAIL", 10),
    "PAIR_FREE": env_int("LOGIN_THROTTLE_PAIR_FREE", 3),
    "DELAY_BASE_S": env_int("LOGIN_THROTTLE_DELAY_BASE_S", 2),
    "DELAY_MAX_S": env_int("LOGIN_THROTTLE_DELAY_MAX_S", 15 * 60),
    "WINDOW_S": env_int("LOGIN_THROTTLE_WINDOW_S", 15 * 60),
}
# Password-reset requests per window: messages per e-mail, requests per client address.
PASSWORD_RESET_THROTTLE = {
    "PER_EMAIL": env_int("PASSWORD_RESET_THROTTLE_PER_EMAIL", 3),
    "PER_ADDRESS": env_int("PASSWORD_RESET_THROTTLE_PER_ADDRESS", 10),
    "WINDOW_S": env_int("PASSWORD_RESET_THROTTLE_WINDOW_S", 60 * 60),
}
# Sign-ups that passed their form (network, customer, supplier/carrier application) per window: per client
# address, per e-mail. A network sign-up clones a whole schema.
SIGNUP_THROTTLE = {
    "PER_EMAIL": env_int("SIGNUP_THROTTLE_PER_EMAIL", 3),
    "PER_ADDRESS": env_int("SIGNUP_THROTTLE_PER_ADDRESS", 10),
    "WINDOW_S": env_int("SIGNUP_THROTTLE_WINDOW_S", 60 * 60),
}
# Reverse proxies in front of the app that append to X-Forwarded-For (0: REMOTE_ADDR is the client).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Quotes run the matching engine: per signed-in customer, else per client address (apps/storefront/throttles.py).
QUOTE_THROTTLE_RATE = env_str("QUOTE_THROTTLE_RATE", "120/min")
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "storefront:home"
LOGOUT_REDIRECT_URL = "storefront:home"
# Host-only cookies: a session on one network's host is never sent to another's.
SESSION_COOKIE_DOMAIN = None
# Sessions are read from the cache (keys carry the network's schema) and written through to the network's table:
# no session query on a signed-in page. Sign-out deletes both; a changed password or a deactivated user ends the
# session when its user is read (every request); only expired rows are deleted behind the cache, whose entries
# expire at the same moment (tests/accounts/test_cached_sessions.py).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CSRF_COOKIE_DOMAIN = None

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = BASE_DIR / env_str("MEDIA_DIR", ".data/media")
MEDIA_URL = "/media/"
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
# Uploaded CAD files (apps/uploads): refused while they stream in as soon as they pass this size.
CAD_UPLOAD_MAX_BYTES = env_int("CAD_UPLOAD_MAX_BYTES", 100 * 1024 * 1024)
# Analyses (an upload, new units, a repair) one customer may ask for (apps/uploads/throttles.py).
UPLOAD_THROTTLE_RATE = env_str("UPLOAD_THROTTLE_RATE", "60/hour")
STORAGES = {
    # Each tenant's uploads live in a folder of its own schema name.
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Cloud Factory <noreply@cloudfactory.localhost>")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "apps.core.jsonlimits.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "apps.core.api.pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "apps.core.api.exceptions.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Cloud Factory API",
    "DESCRIPTION": "Storefront, supplier and carrier API of one Cloud Factory network.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.core.api.schema.add_refusal_responses",
    ],
    # Swagger UI served from our own static files (no CDN).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a `status`; each choice set gets a stable component name.
    "ENUM_NAME_OVERRIDES": {
        "ParticipantStatusEnum": "apps.suppliers.status.ParticipantStatus",
        "ResourceStatusEnum": "apps.suppliers.status.ResourceStatus",
        "WorkItemStatusEnum": "apps.orders.status.WorkItemStatus",
        "LegStatusEnum": "apps.orders.status.LegStatus",
        "OrderStatusEnum": "apps.orders.status.OrderStatus",
        "UploadStatusEnum": "apps.uploads.status.UploadStatus",
        "TemplateStatusEnum": "apps.catalog.models.TemplateStatus",
        "PartKindEnum": ["mesh", "profile", "solid"],  # apps.uploads.analysis.result.PartKind
        "TemplateKindEnum": [
            "configurable",
            "part",
        ],  # apps.catalog.api.serializers.TemplateListSerializer.kind
    },
}

# --- Celery (tenant-schemas-celery): JSON only, late acks, explicit limits.
CELERY_BROKER_URL = env_url("CELERY_BROKER_URL", REDIS_URL, schemes=("redis", "rediss"))
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)}
CELERY_TASK_ALWAYS_EAGER = False
# Workers keep LOGGING below (JSON with the network and request id in production) instead of Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# One queue per kind of work, each with its own worker pool (Procfile; the CP-SAT and CAD pools run at a lower CPU
# priority), so a long batch re-optimisation never delays a payment webhook, a transfer or an e-mail. Stripe
# events have a pool of their own: a long reconciliation (money) never holds one up. Unlisted tasks (sweeps,
# housekeeping) go to "celery". docs/fleet.md, manage.py bench_queues.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "payouts.webhook_event_process": {"queue": "webhooks"},
    "payouts.webhook_redrive": {"queue": "webhooks"},
    "payouts.*": {"queue": "money"},
    "outbox.send_email": {"queue": "email"},
    "matching.batch_reoptimise": {"queue": "batch"},
    "matching.*": {"queue": "planning"},
    "uploads.*": {
        "queue": "uploads"
    },  # CAD analysis: seconds of CPU per file, never ahead of money or planning
}
WORK_QUEUES = ("webhooks", "money", "email", "planning", "batch", "uploads", "celery")
# Beat's fan-out (apps/core/periodic_fanout.py, docs/fleet.md): a network with an outbox message within the busy
# window gets every periodic task on schedule, any other each task at most once per idle interval.
FLEET_BUSY_WINDOW_S = env_int("FLEET_BUSY_WINDOW_S", 14 * 24 * 3600)
FLEET_IDLE_INTERVAL_S = env_int("FLEET_IDLE_INTERVAL_S", 6 * 3600)
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions-every-tenant": {
        "task": "tenants.dispatch_to_tenants",
        "schedule": 6 * 60 * 60,
        "args": ("accounts.clear_expired_sessions",),
    },
    "orders-expire-offers-every-tenant": {
        "task": "tenants.dispatch_to_tenants",
        "schedule": 5 * 60,
        "args": ("orders.expire_offers",),
    },
    "orders-outbox-sweep-every-tenant": {
        "task": "tenants.dispatch_to_tenants",
        "schedule": 60,
        "args": ("orders.outbox_sweep",),
    },
    "orders-complete-delivered-every-tenant": {
        "task": "tenants.dispatch_to_tenants",
        "schedule": 60 * 60,
        "args": ("orders.complete_delivered",),
    },
    "payouts-money-sweep-every-tenant": {
        "task": "tenants.dispatch_to_tenants",
        "schedule": 60,
        "args": ("payouts.money_sweep",),
    },
    "payouts-webhook-redrive-every-tenant": {
        "task": "tenants.dispatch_to_tenants",
        "schedule": 60,
        "args": ("payouts.webhook_redrive",),
    },
    "payouts-participant-payouts-every-tenant": {
        "task": "tenants.dispatch_to_tenants",
        "schedule": 60 * 60,
        "args": ("payouts.participant_payouts",),
    },
    "payouts-reconcile-every-tenant": {
        "task": "tenants.dispatch_to_tenants",
        "schedule": 60 * 60,
        "args": ("payouts.reconcile",),
    },
    "matching-batch-reoptimise-every-tenant": {
        "task": "tenants.dispatch_to_tenants",
        "schedule": 30 * 60,
        "args": ("matching.batch_reoptimise",),
    },
}

# Encrypts secrets at rest (tenant Stripe keys). A Fernet key from the environment in production.
FIELD_ENCRYPTION_KEY = env_str("FIELD_ENCRYPTION_KEY", DEVELOPMENT_ENCRYPTION_KEY)

STRIPE_LOCAL_URL = env_url("STRIPE_LOCAL_URL", f"http://127.0.0.1:{STRIPE_PORT}", schemes=("http", "https"))

# One line per record, with the network (apps/core/logs.py): JSON for log shippers (production's default), or plain.
LOG_FORMAT = env_str("LOG_FORMAT", "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "network": {"()": "apps.core.logs.NetworkFilter"},
        "quiet_probes": {"()": "apps.core.logs.QuietProbesFilter"},
    },
    "formatters": {
        "plain": {"format": "%(levelname)s %(name)s [%(network)s %(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(network)s %(request_id)s %(process)d %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["network"]}
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # runserver's access log, without the probes' successful answers.
        "django.server": {
            "handlers": ["console"],
            "level": "INFO",
            "filters": ["quiet_probes"],
            "propagate": False,
        },
    },
}
STRIPE_TIMEOUT_S = env_int("STRIPE_TIMEOUT_S", 20)
# Where networks with their own Stripe keys are sent: None is api.stripe.com. Tests point it at the local server
# to run networks on their own (or one shared) key.
STRIPE_API_BASE = None

# Orders' ports (apps/orders/ports.py): orders sits below storefront and payouts, so they are wired here.
ORDERS_QUOTER = "apps.storefront.order_quoting.quote_order"
ORDERS_DESIGN_CHECK = "apps.storefront.order_makeable.design_version_check"
ORDERS_PAYMENT_GATEWAY = "apps.payouts.payments.gateway.StripeOrderPayments"
# Catalog's port (apps/catalog/royalty.py): the bounds on designers' royalties are the profit-share policy's.
CATALOG_ROYALTY_BOUNDS = "apps.payouts.profit_share.policies.royalty_bounds_current"
# bench_uploads' further measures (uploads sits below the storefront's quoting): upload-to-price.
UPLOADS_BENCH_MEASURES = ["apps.storefront.part_quote_bench.upload_to_price"]

# bench_pages only: route the framework floor page (apps/demo/pages/floor.py) on every network's host.
BENCH_FLOOR_PAGE = env_bool("BENCH_FLOOR_PAGE", False)
