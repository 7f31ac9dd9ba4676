"""Money test fixtures. The session's local Stripe server (tests/conftest.py `stripe_server`) is wiped before
each money test that talks to it, so a reconciliation sees only that test's balance transactions."""

import pytest
import requests
from django.conf import settings

from tests.payouts.money_builders import control, stripe_wipe


@pytest.fixture
def fresh_stripe(stripe_server):
    stripe_wipe()
    previous = settings.STRIPE_TIMEOUT_S
    settings.STRIPE_TIMEOUT_S = 3  # hung requests (fail_next mode=hang) time out fast
    yield stripe_server
    settings.STRIPE_TIMEOUT_S = previous


@pytest.fixture
def money_a(in_tenant_a, fresh_stripe):
    """Network alpha's schema with a freshly wiped local Stripe server."""
    return in_tenant_a


@pytest.fixture
def stripe_clock(fresh_stripe):
    """``stripe_clock(unix_seconds)`` freezes the local Stripe server's clock there (then only forward), so a
    test moves Stripe's whole-second ``created`` on instead of sleeping; real time again after the test."""
    yield lambda frozen_time: control("clock", frozen_time=frozen_time)
    requests.delete(f"{fresh_stripe}/_test/clock", timeout=10).raise_for_status()
