"""An order is late by the network's calendar: the promised day lasts until midnight where the network is, and the
pages of a network run on its time zone."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from apps.orders.gantt import GanttJob, gantt_build
from apps.orders.models import Order

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
PROMISED = date(2026, 3, 5)


@pytest.mark.parametrize(
    ("eta_utc", "late"),
    [
        (datetime(2026, 3, 5, 22, 30, tzinfo=UTC), False),  # 23:30 on the promised day in Amsterdam
        (datetime(2026, 3, 5, 23, 30, tzinfo=UTC), True),  # 00:30 the day after, though still the 5th in UTC
    ],
)
def test_lateness_is_judged_on_the_networks_calendar(eta_utc, late):
    order = Order(promised_delivery_date=PROMISED, eta=eta_utc)
    with timezone.override(AMSTERDAM):
        assert order.is_late is late


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
