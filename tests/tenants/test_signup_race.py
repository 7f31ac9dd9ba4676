"""Two sign-ups of one subdomain at the same moment: both pass the "is it free?" check, the unique index lets
one row in, and the other person sees the same field error as anyone who comes second (it was an
IntegrityError, a 500)."""

import threading

import pytest
from django.db import connection as main_connection
from django.db import transaction

from apps.tenants.models import Tenant
from tests.conftest import wait_for
from tests.tenants.test_signup_page import GOOD

pytestmark = pytest.mark.django_db

SUBDOMAIN = "race-makers"


def _lock_waiters(connection) -> int:
    """Sessions of this database waiting for a row or transaction lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


class FirstSignup(threading.Thread):
    """The sign-up that wins: its own connection inserts the row and commits only once the second sign-up is
    blocked on the unique index behind it. Removes its row again when told to."""

    def __init__(self):
        super().__init__(daemon=True)
        self.inserted = threading.Event()
        self.finish = threading.Event()
        self.error: BaseException | None = None

    def run(self):
        from django.db import connection

        try:
            with transaction.atomic():
                Tenant.objects.create(
                    schema_name="t_race_makers", name="First", slug=SUBDOMAIN, currency="EUR"
                )
                self.inserted.set()
                wait_for(lambda: _lock_waiters(connection) > 0)
            self.finish.wait(timeout=60)
        except BaseException as error:  # reported by the test, not lost in the thread
            self.error = error
            self.inserted.set()
        finally:
            Tenant.objects.filter(slug=SUBDOMAIN, name="First").delete()
            connection.close()


def test_the_second_of_two_simultaneous_signups_gets_the_field_error(public_client, tenant_a):
    first = FirstSignup()
    first.start()
    try:
        assert first.inserted.wait(timeout=30)
        response = public_client.post("/", {**GOOD, "subdomain": SUBDOMAIN})
    finally:
        first.finish.set()
        first.join(timeout=60)
    assert first.error is None, first.error
    assert response.status_code == 400
    assert response.context["form"].errors["subdomain"] == ["This subdomain is already taken."]
    assert not Tenant.objects.filter(slug=SUBDOMAIN).exclude(name="First").exists()
    assert main_connection.schema_name == "public"
