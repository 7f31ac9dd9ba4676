"""Browser journeys: Debian's Chromium driven by Playwright against a live server that this session starts.

The server (`platform_server`, tests/conftest.py) is a real `runserver` process on the test database, the test Redis
and the session's local Stripe server, beside the session's Celery worker, so a click travels the whole way: page → view → service → task → worker.
Journeys commit what they create (the server is another process): each works in its own order, on the demo network
seeded once per session, or in a network of its own. Failures leave a screenshot in test-artifacts/playwright/."""

import os
import shutil
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import ARTIFACTS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
TOUR_DIR = Path(os.environ.get("TOUR_DIR", ARTIFACTS / "tour"))


@pytest.fixture(scope="session", autouse=True)
def _orm_beside_playwright():
    """Playwright's sync API keeps an event loop running in this thread; the ORM calls the journeys make around
    the browser are ordinary blocking calls, which Django's async-context guard would otherwise refuse."""
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, never a downloaded browser; headless, no sandbox (CI runs as root), no calls home."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--no-default-browser-check",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 860}, "locale": "en-GB"}


@pytest.fixture(scope="session")
def demo_network(platform_server, django_db_blocker):
    """The demo network of `make run`, seeded (and committed) once for every journey that shops or works in it."""
    from apps.demo.seed import demo_seed

    with django_db_blocker.unblock():
        assert connection.settings_dict["NAME"].startswith("test_")
        tenant = demo_seed()
        connection.set_schema_to_public()
    return tenant


def network_url(server: str, slug: str) -> str:
    return server.replace("//localhost", f"//{slug}.localhost")


def tour_shot(page, name: str) -> None:
    """Saves a small screenshot for README's tour (`make tour` writes them to docs/tour/)."""
    TOUR_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=TOUR_DIR / f"{name}.jpg", type="jpeg", quality=70, full_page=False)


def browser_sign_in(page, network_base: str, email: str, password: str) -> None:
    """Signs in through the network's own login page, as a person would."""
    page.goto(f"{network_base}/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
