"""The per-network settings rows (pk=1, made on first use) under two first readers at once, committed: one of
them inside a REPEATABLE READ snapshot (fragments.one_snapshot, the kept pages' reads) that began before the other
committed the row."""

import threading

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django_tenants.utils import schema_context

from apps.core.fragments import one_snapshot
from apps.core.singletons import singleton_get
from apps.payouts.models import PayoutHold


@pytest.fixture
def db(django_db_setup, django_db_blocker):
    """Committed rows: the other reader runs on its own connection, in its own thread."""
    assert connection.settings_dict["NAME"].startswith("test_"), "not on the test database"
    with django_db_blocker.unblock():
        yield


def _another_request_makes_the_row(schema_name: str) -> None:
    def other() -> None:
        try:
            with schema_context(schema_name):
                singleton_get(PayoutHold)
        finally:
            connection.close()

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()


def test_a_snapshot_that_began_before_another_request_made_the_row_reads_the_defaults(db, tenant_b):
    with schema_context(tenant_b.schema_name):
        PayoutHold.objects.filter(pk=1).delete()
        with one_snapshot():
            assert not PayoutHold.objects.filter(pk=1).exists()  # the snapshot begins without the row
            _another_request_makes_the_row(tenant_b.schema_name)
            # the row is there now, but not in the snapshot: this was an IntegrityError
            seen = singleton_get(PayoutHold)
            assert seen._state.adding, "nothing was written inside the snapshot"
        made = PayoutHold.objects.get(pk=1)
        assert model_to_dict(seen) == model_to_dict(made)
