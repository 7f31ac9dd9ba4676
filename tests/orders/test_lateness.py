"""An order is late by the network's calendar: the promised day lasts until midnight where the network is, and the
pages of a network run on its time zone."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from apps.backoffice.selectors import on_time_delivery, orders_needing_attention
from apps.orders.gantt import GanttJob, gantt_build
from apps.orders.models import EventKind, Order, OrderEvent
from apps.orders.selectors import order_list_staff
from apps.orders.services import order_eta_set
from apps.tenants.models import Tenant
from tests.conftest import api_token_for
from tests.mail import deliver_emails

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
PROMISED = date(2026, 3, 5)


@pytest.fixture
def network_in(tenant_a):
    """Sets alpha's time zone for one test (the row and the connection's tenant), then puts it back."""
    before = tenant_a.time_zone

    def set_zone(name: str) -> ZoneInfo:
        tenant_a.time_zone = name
        Tenant.objects.filter(pk=tenant_a.pk).update(time_zone=name)
        return ZoneInfo(name)

    yield set_zone
    tenant_a.time_zone = before


@pytest.mark.parametrize(
    ("eta_utc", "late"),
    [
        (datetime(2026, 3, 5, 22, 30, tzinfo=UTC), False),  # 23:30 on the promised day in Amsterdam
        (datetime(2026, 3, 5, 23, 30, tzinfo=UTC), True),  # 00:30 the day after, though still the 5th in UTC
    ],
)
@pytest.mark.django_db
def test_lateness_is_judged_on_the_networks_calendar_whatever_zone_is_active(
    eta_utc, late, in_tenant_a, network_in
):
    network_in("Europe/Amsterdam")
    order = Order(promised_delivery_date=PROMISED, eta=eta_utc)
    for active in (AMSTERDAM, UTC, ZoneInfo("Pacific/Auckland")):
        with timezone.override(active):
            assert order.is_late is late


# (network, the ETA in the network's local time, late?): each one falls on another day in UTC than locally.
NEAR_MIDNIGHT = [
    ("Pacific/Auckland", 1, time(0, 30), True),  # the next day locally, still the promised day in UTC
    ("Europe/Amsterdam", 1, time(0, 30), True),
    ("America/Los_Angeles", 0, time(23, 30), False),  # the promised day locally, the next day in UTC
]


@pytest.mark.parametrize(("zone_name", "days_after", "local_time", "late"), NEAR_MIDNIGHT)
def test_the_late_email_and_the_pages_agree_near_midnight(
    zone_name,
    days_after,
    local_time,
    late,
    planned,
    customer,
    network_in,
    client_a,
    back_to_a,
    django_capture_on_commit_callbacks,
):
    """The e-mail path (order_eta_set) once compared the ETA's UTC date; the page, the API, the staff list and
    the dashboard each used the active zone (UTC on the API). All now read the network's day."""
    zone = network_in(zone_name)
    promised = timezone.now().date() + timedelta(days=30)  # on time as planned, and never told otherwise
    Order.objects.filter(pk=planned.pk).update(promised_delivery_date=promised, eta_late_notified=None)
    eta = datetime.combine(promised + timedelta(days=days_after), local_time, zone).astimezone(UTC)
    assert eta.date() != datetime.combine(promised + timedelta(days=days_after), local_time).date()
    with django_capture_on_commit_callbacks(execute=True):
        assert order_eta_set(order_id=planned.pk, eta=eta, reason="Moved")
    told = [m for m in deliver_emails() if "later than promised" in m.subject]
    assert len(told) == (1 if late else 0)
    event = OrderEvent.objects.filter(order=planned, kind=EventKind.PLAN).latest("id")
    assert event.data["late"] is late
    order = Order.objects.get(pk=planned.pk)
    with timezone.override(UTC):  # how the API runs
        assert order.is_late is late
    assert (order in order_list_staff(late=True)) is late
    assert (order in order_list_staff(late=False)) is not late
    assert (order in orders_needing_attention()[0]) is late
    assert on_time_delivery(since=timezone.now(), tz=zone).open_late == (1 if late else 0)
    token = api_token_for(customer)
    body = client_a.get(f"/api/v1/orders/{order.pk}/", HTTP_AUTHORIZATION=f"Token {token}").json()
    assert body["is_late"] is late
    back_to_a()


def test_the_gantt_keeps_the_promise_until_the_end_of_the_day():
    start = datetime(2026, 3, 5, 8, 0, tzinfo=AMSTERDAM)
    chart = gantt_build(
        jobs=[
            GanttJob(owner="Mill", label="Top", start=start, end=start + timedelta(hours=4), status="offered")
        ],
        moves=[],
        promised=PROMISED,
        eta=datetime(2026, 3, 5, 20, 50, tzinfo=UTC),  # 21:50 local: on time, so drawn left of "promised"
        now=datetime(2026, 3, 4, 9, 0, tzinfo=UTC),
        tz=AMSTERDAM,
    )
    markers = {marker.kind: marker.x for marker in chart.markers}
    assert markers["eta"] < markers["promised"]


def test_a_networks_pages_run_on_its_time_zone_and_its_api_on_utc(client_a, tenant_a, public_client):
    timezone.deactivate()
    client_a.get("/")
    assert timezone.get_current_timezone_name() == tenant_a.time_zone
    public_client.get("/")
    assert timezone.get_current_timezone_name() == "UTC"
    client_a.get("/")
    client_a.get("/api/v1/catalog/templates/")  # the API answers in UTC on every network
    assert timezone.get_current_timezone_name() == "UTC"
