"""Shared fixtures: a real PostgreSQL test database with two networks (alpha, beta), clients on their hosts,
and a real Celery worker process on the test database and a test Redis database."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import setup_databases
from django_tenants.utils import schema_context
from hypothesis import settings as hypothesis_settings

from apps.accounts.roles import Role
from apps.accounts.services import user_create
from apps.accounts.tokens import token_create
from apps.demo.rates import rates_demo_seed
from apps.demo.suppliers import suppliers_demo_seed
from apps.tenants.models import Tenant
from apps.tenants.services import tenant_create, tenant_public_ensure, tenant_template_ensure
from tests.brokers import private_broker  # noqa: F401 - a fixture shared by several suites

# Property tests: CI sees the same examples on every run (a failure reproduces on any machine), and no per-example
# deadline (a loaded machine is not a bug). HYPOTHESIS_PROFILE=explore searches afresh, and longer.
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
hypothesis_settings.register_profile("explore", deadline=None, max_examples=1000)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct-horse-battery-9"
ARTIFACTS = ROOT / "test-artifacts"
# Under pytest-xdist each worker process runs its own worker, live server and Stripe server: each logs apart.
LOG_SUFFIX = f"-{os.environ['PYTEST_XDIST_WORKER']}" if os.environ.get("PYTEST_XDIST_WORKER") else ""


def pytest_collection_modifyitems(items):
    """Browser journeys run last: they are the slowest, and the data they commit then meets no other test."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, migrated, with the public site, the template and two provisioned networks."""
    with django_db_blocker.unblock():
        if connection.settings_dict["NAME"] != settings.DATABASES["default"]["TEST"]["NAME"]:
            # pytest-django creates the test database only when a selected test asks for `db`; the worker and
            # browser suites, which commit for other processes to see, never do.
            setup_databases(verbosity=0, interactive=False, aliases={"default"})
        # Guard: never provision test networks into a development database.
        assert connection.settings_dict["NAME"].startswith("test_"), connection.settings_dict["NAME"]
        # A new database numbers its users and networks from 1 again: counters a previous session left in the
        # test cache (throttles keyed by user id) would belong to this session's namesakes.
        cache.clear()
        tenant_public_ensure()
        tenant_template_ensure()
        for slug in ("alpha", "beta"):
            tenant_create(
                name=f"{slug.title()} Works",
                subdomain=slug,
                currency="EUR",
                admin_email=f"owner@{slug}.test",
                admin_password=PASSWORD,
            )
    yield
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        # The worker's and the live server's connections may still be closing when pytest-django drops the
        # database; it would refuse (and warn) while another session is attached.
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(scope="session")
def tenant_a(django_db_setup, django_db_blocker) -> Tenant:
    with django_db_blocker.unblock():
        return Tenant.objects.get(slug="alpha")


@pytest.fixture(scope="session")
def tenant_b(django_db_setup, django_db_blocker) -> Tenant:
    with django_db_blocker.unblock():
        return Tenant.objects.get(slug="beta")


@pytest.fixture(scope="module")
def demo_workshops_for_the_module(django_db_setup, django_db_blocker, tenant_a):
    """Alpha's demo workshops and rates, seeded once for the test module in a transaction around its tests and
    rolled back after the last one. Each test's own transaction nests inside it (a savepoint), so every test
    still starts from the same seeded state and leaves nothing behind. Seeding took 1.5-2 s of a test's setup,
    about 90 tests a run. A module that uses it cannot also hold tests that commit (`transactional_db`, a live
    server): they would run inside this transaction."""
    module_transaction = transaction.atomic()
    with django_db_blocker.unblock():
        module_transaction.__enter__()  # left open across the module's tests: no `with` spans a fixture's yield
        try:
            with schema_context(tenant_a.schema_name):
                suppliers_demo_seed()
                rates_demo_seed()
        except BaseException:
            module_transaction.__exit__(*sys.exc_info())
            raise
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        module_transaction.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _back_to_public():
    """Every test starts and ends in the public schema, whatever it switched to."""
    yield
    if connection.connection is not None or connection.schema_name != "public":
        connection.set_schema_to_public()


@pytest.fixture
def in_tenant_a(db, tenant_a):
    connection.set_tenant(tenant_a)
    yield tenant_a
    connection.set_schema_to_public()


@pytest.fixture
def in_tenant_b(db, tenant_b):
    connection.set_tenant(tenant_b)
    yield tenant_b
    connection.set_schema_to_public()


def api_token_for(user) -> str:
    """A new personal access token of `user`, as the client sends it (call inside the user's schema)."""
    return token_create(user=user, name="test client", expires_in_days=None).secret


def host_of(tenant: Tenant) -> str:
    return f"{tenant.slug}.localhost"


@pytest.fixture
def client_a(db, tenant_a) -> Client:
    return Client(HTTP_HOST=host_of(tenant_a))


@pytest.fixture
def client_b(db, tenant_b) -> Client:
    return Client(HTTP_HOST=host_of(tenant_b))


@pytest.fixture
def public_client(db) -> Client:
    return Client(HTTP_HOST="localhost")


@pytest.fixture
def make_user():
    """Creates a user with a role inside a tenant's schema and returns it."""

    def make(tenant: Tenant, role: Role = Role.CUSTOMER, email: str | None = None):
        with schema_context(tenant.schema_name):
            return user_create(
                email=email or f"{role}-{uuid.uuid4().hex[:8]}@example.test", password=PASSWORD, role=role
            )

    return make


@pytest.fixture
def customer(tenant_a, make_user):
    """A customer of network alpha."""
    return make_user(tenant_a, Role.CUSTOMER)


@pytest.fixture
def signed_in(client_a, tenant_a, customer) -> Client:
    """The customer signed in on network alpha's host."""
    return sign_in(client_a, tenant_a, customer)


def _worker_env() -> dict[str, str]:
    settings = connection.settings_dict
    database_url = f"postgres://{settings['USER']}:{settings['PASSWORD']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    from django.conf import settings as django_settings

    inherited = {name: value for name, value in os.environ.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url,
        "STRIPE_LOCAL_URL": django_settings.STRIPE_LOCAL_URL,
    }


@pytest.fixture(scope="session")
def stripe_server():
    """A fresh local Stripe-compatible server for this test session; the platform is pointed at it."""
    from django.conf import settings

    from tools.stripe_local.process import start_local_stripe, stop_local_stripe

    # Webhook retries run Stripe's three-day schedule in seconds (a failing delivery stops counting as pending).
    url, process = start_local_stripe(extra_args=("--webhook-time-scale", "0.00001"))
    previous = settings.STRIPE_LOCAL_URL
    settings.STRIPE_LOCAL_URL = url
    yield url
    settings.STRIPE_LOCAL_URL = previous
    stop_local_stripe(process)
    ARTIFACTS.mkdir(exist_ok=True)
    Path(process.log_path).replace(ARTIFACTS / f"stripe-local{LOG_SUFFIX}.log")


@contextmanager
def session_process(argv: list[str], *, log_name: str, ready, what: str, env: dict | None = None):
    """A process the test session runs beside itself (the worker, the live server), logging to test-artifacts/:
    started, waited for until `ready()` holds (at most 60 s), stopped at the end."""
    ARTIFACTS.mkdir(exist_ok=True)
    with open(ARTIFACTS / log_name.replace(".log", f"{LOG_SUFFIX}.log"), "wb") as log:
        process = subprocess.Popen(
            argv, cwd=ROOT, env=env or _worker_env(), stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 60
            while not ready():
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{what} did not start; see {log.name}")
                time.sleep(0.2)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, stripe_server):
    """A real Celery worker process on the test database and the test Redis, started once per session."""
    from config.celery import app

    app.control.purge()
    name = f"test-{uuid.uuid4().hex[:8]}@%h"
    from django.conf import settings

    argv = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork", "--concurrency=1"]
    argv += ["--queues", ",".join(settings.WORK_QUEUES)]  # one worker for every queue: tests run in order
    argv += ["--loglevel=INFO", "-n", name, "--without-gossip", "--without-mingle"]
    with session_process(
        argv,
        log_name="celery-worker.log",
        ready=lambda: bool(app.control.ping(timeout=0.5)),
        what="The worker",
    ) as process:
        yield process


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status < 500
    except urllib.error.HTTPError as error:
        return error.code < 500
    except OSError:
        return False


@pytest.fixture(scope="session")
def platform_server(django_db_setup, celery_worker, stripe_server) -> str:
    """Serves the platform on a free loopback port; returns the bare-domain base URL, e.g. http://localhost:50123.

    Networks live at http://<slug>.localhost:<port>/: Chromium resolves every *.localhost name to loopback."""
    port = _free_port()
    base_url = f"http://localhost:{port}"
    with session_process(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"],
        log_name="live-server.log",
        ready=lambda: _answers(f"{base_url}/"),
        what="The live server",
        env={**_worker_env(), "PLATFORM_PORT": str(port)},
    ):
        yield base_url


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.1):
    """Polls until predicate() is truthy (work done by another process); fails the test on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout} s")


def wait_for_idle_worker(timeout: float = 60.0) -> None:
    """Waits until the test worker has no task running or waiting to start: a test that then blocks a table knows
    no leftover task of its own setup will queue behind the lock and hold the single pool process. (Retries that
    earlier tests left with a countdown are not waited for; they belong to other networks.)"""
    from config.celery import app

    def idle() -> bool:
        inspector = app.control.inspect(timeout=1.0)
        replies = [inspector.active(), inspector.reserved()]
        if any(reply is None for reply in replies):
            return False  # no answer yet: not known to be idle
        return all(not tasks for reply in replies for tasks in reply.values())

    wait_for(idle, timeout=timeout, interval=0.2)


def sign_in(client: Client, tenant: Tenant, user) -> Client:
    """Logs a user in on a network's host; the session is stored in that network's schema."""
    with schema_context(tenant.schema_name):
        client.force_login(user)
    return client


@pytest.fixture
def staff_a(client_a, tenant_a, make_user) -> Client:
    """A platform staff member of alpha who is not a superuser (the network's owner is), signed in on alpha."""
    return sign_in(client_a, tenant_a, make_user(tenant_a, Role.STAFF))


@pytest.fixture
def finance_a(db, tenant_a, make_user) -> Client:
    """A finance member of alpha, signed in on alpha (its own client: tests may use it beside staff_a)."""
    return sign_in(Client(HTTP_HOST=host_of(tenant_a)), tenant_a, make_user(tenant_a, Role.FINANCE))


def login_with_password(client: Client, email: str, password: str = PASSWORD) -> bool:
    """Logs in through the real login page (middleware, schema routing and all)."""
    response = client.post("/accounts/login/", {"username": email, "password": password})
    return response.status_code == 302
