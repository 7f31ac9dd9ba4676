"""The legs board's HTML is kept in the cache keyed by the carrier, a fingerprint of every row it is drawn from
and what it shows of the clock (apps/portal/legs.py board_fingerprint_sql, apps/core/content_cache.py): a change
shows on the next request, whatever wrote it (also a queryset update that bumps no `updated_at`); another carrier
of the network and another network never get the entry."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.core.content_cache import fingerprint_read
from apps.orders.models import Order, TransportLeg, WorkItem
from apps.portal.legs import board_fingerprint_params, board_fingerprint_sql
from apps.portal.views.legs import board_key as views_board_key
from apps.suppliers.models import AssetOwner
from tests.conftest import host_of, sign_in

pytestmark = pytest.mark.django_db

BOARD = "/portal/carrier/legs/"
# A fixed moment (a Monday morning in Amsterdam): the board groups by the local day, its content names the day.
NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fixed_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def board_key(tenant, carrier, asked=None) -> str | None:
    """The cache key of `carrier`'s board as it stands now (page `asked`)."""
    carrier_id = carrier.company.pk
    with schema_context(tenant.schema_name), timezone.override(tenant.time_zone):
        fingerprint = fingerprint_read(board_fingerprint_sql(), board_fingerprint_params(carrier_id, asked))
        return views_board_key(carrier_id, fingerprint, asked=asked, now=timezone.now())


def test_a_change_shows_on_the_next_request_even_without_updated_at(
    carrier_portal, plan_a, tenant_a, carrier_a
):
    before = carrier_portal.get(BOARD).content.decode()
    assert "Ada Lovelace" in before and "Oudegracht 1, 3511 AB Utrecht" in before
    with schema_context(tenant_a.schema_name):
        assert cache.get(board_key(tenant_a, carrier_a)) is not None  # served from the cache from now on
        # Queryset updates: no save(), no updated_at, no signal.
        Order.objects.filter(pk=plan_a.order.pk).update(recipient_name="Grace Hopper", address_line="Drift 9")
        AssetOwner.objects.filter(pk=plan_a.leg.from_asset_owner_id).update(phone="+31 30 999 0000")
    after = carrier_portal.get(BOARD).content.decode()
    assert "Grace Hopper" in after and "Drift 9, 3511 AB Utrecht" in after and "Ada Lovelace" not in after
    assert 'href="tel:+31309990000"' in after


def test_a_board_becomes_overdue_with_time_alone(carrier_portal, plan_a):
    """Overdue is judged against the clock: the same rows later are drawn again, not served as they were."""
    assert "overdue" not in carrier_portal.get(BOARD).content.decode()
    with time_machine.travel(NOW.replace(day=10), tick=False):
        assert "1 leg overdue" in carrier_portal.get(BOARD).content.decode()


def test_a_planted_entry_is_served_to_its_carrier_only(client_a, tenant_a, carrier_a, other_carrier_a):
    """Two carriers of one network with identical (empty) boards have the same content: the entry planted under
    A's key is what A gets, and B gets its own board."""
    key_a, key_b = board_key(tenant_a, carrier_a), board_key(tenant_a, other_carrier_a)
    assert key_a != key_b
    with schema_context(tenant_a.schema_name):
        cache.set(key_a, '<div id="board">planted for A</div>', 300)
    a = sign_in(client_a, tenant_a, carrier_a.user)
    assert "planted for A" in a.get(BOARD).content.decode()
    b = sign_in(Client(HTTP_HOST=host_of(tenant_a)), tenant_a, other_carrier_a.user)
    page_b = b.get(BOARD).content.decode()
    assert "planted for A" not in page_b and "Nothing to collect today." in page_b


def test_another_network_never_gets_the_entry(client_b, tenant_a, tenant_b, carrier_b):
    """The same key written in alpha's schema is not what beta reads (the tenant key function)."""
    key = board_key(tenant_b, carrier_b)
    with schema_context(tenant_a.schema_name):
        cache.set(key, '<div id="board">planted in alpha</div>', 300)
    page = sign_in(client_b, tenant_b, carrier_b.user).get(BOARD).content.decode()
    assert "planted in alpha" not in page and "Nothing to collect today." in page
    with schema_context(tenant_b.schema_name):
        cache.set(key, '<div id="board">planted in beta</div>', 300)
    assert "planted in beta" in client_b.get(BOARD).content.decode()  # the key itself matches beta's board


def test_what_a_leg_waits_for_and_its_times_show_at_once(carrier_portal, plan_a, tenant_a):
    """The job a leg leaves from (another company's row) and the leg's own planned times, written by queryset
    updates."""
    before = carrier_portal.get(BOARD).content.decode()
    assert "Waiting for" in before
    with schema_context(tenant_a.schema_name):
        WorkItem.objects.filter(pk=plan_a.mine.pk).update(name="Oak top")
    assert "Oak top" in carrier_portal.get(BOARD).content.decode()
    with schema_context(tenant_a.schema_name):
        TransportLeg.objects.filter(carrier=plan_a.leg.carrier).update(weight_kg=77)
    assert "77" in carrier_portal.get(BOARD).content.decode()


def test_a_page_out_of_range_is_drawn_and_not_kept(carrier_portal, plan_a, tenant_a, carrier_a):
    assert board_key(tenant_a, carrier_a, asked="99") is None
    assert carrier_portal.get(f"{BOARD}?page=99").status_code == 200
    with schema_context(tenant_a.schema_name):
        TransportLeg.objects.filter(pk=plan_a.leg.pk).update(status="delivered", delivered_at=NOW)
    page = carrier_portal.get(f"{BOARD}?page=99").content.decode()
    assert plan_a.order.reference in page[page.index('id="delivered') :]


def test_delivered_legs_changing_places_show_at_once(carrier_portal, plan_a, tenant_a, carrier_a):
    """The fingerprint hashes the columns the board shows, and each delivered leg's place on the page: two
    delivered legs whose delivery times swap (a column the board does not show) swap places on the next request."""
    first, second = f'href="{BOARD}{plan_a.leg.pk}/"', f'href="{BOARD}{plan_a.other_leg.pk}/"'
    with schema_context(tenant_a.schema_name):
        TransportLeg.objects.filter(pk=plan_a.other_leg.pk).update(carrier=carrier_a.company)
        TransportLeg.objects.filter(pk__in=(plan_a.leg.pk, plan_a.other_leg.pk)).update(status="delivered")
        TransportLeg.objects.filter(pk=plan_a.leg.pk).update(delivered_at=NOW)
        TransportLeg.objects.filter(pk=plan_a.other_leg.pk).update(delivered_at=NOW.replace(hour=7))
    page = carrier_portal.get(BOARD).content.decode()
    assert page.index(first) < page.index(second)  # latest first
    with schema_context(tenant_a.schema_name):
        TransportLeg.objects.filter(pk=plan_a.leg.pk).update(delivered_at=NOW.replace(hour=6))
    page = carrier_portal.get(BOARD).content.decode()
    assert page.index(second) < page.index(first)
