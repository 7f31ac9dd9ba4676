"""When an order is late: the one rule, in Python and in SQL.

The promised day lasts until midnight where the network is — whatever time zone happens to be active (pages run
on the network's, the API and some tasks on UTC). Everything that judges lateness (the order page and API, the
"we are late" e-mail, the admin filter, the staff dashboard) asks this module.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import BooleanField, Case, F, Q, Value, When
from django.db.models.functions import TruncDate
from django.db.models.lookups import GreaterThan

from apps.suppliers.selectors import network_settings


def network_zone() -> ZoneInfo:
    """The time zone of the network whose schema the connection is set to."""
    return ZoneInfo(network_settings().time_zone)


def network_day(moment: datetime, zone: ZoneInfo | None = None) -> date:
    """The calendar day `moment` falls on where the network is."""
    return moment.astimezone(zone or network_zone()).date()


def days_late(arrival: datetime, promised: date, zone: ZoneInfo | None = None) -> int:
    """How many of the network's days `arrival` is after the promised day (0 or less: on time)."""
    return (network_day(arrival, zone) - promised).days


def arrives_late(arrival: datetime | None, promised: date | None, zone: ZoneInfo | None = None) -> bool:
    """Whether an arrival (delivered, or expected) falls after the promised day; unknown ones are not late."""
    if arrival is None or promised is None:
        return False
    return days_late(arrival, promised, zone) > 0


def order_is_late(order) -> bool:
    """Delivered after the promised day, or (not delivered yet) expected to arrive after it."""
    return arrives_late(order.delivered_at or order.eta, order.promised_delivery_date)


def order_late_condition(zone: ZoneInfo | None = None) -> Case:
    """order_is_late as a boolean SQL expression (never NULL, so it can be filtered on and negated):
    `orders.filter(order_late_condition())`, `orders.exclude(order_late_condition())`."""
    zone = zone or network_zone()
    promised = F("promised_delivery_date")
    return Case(
        When(Q(promised_delivery_date__isnull=True), then=Value(False)),
        When(
            Q(delivered_at__isnull=False),
            then=GreaterThan(TruncDate("delivered_at", tzinfo=zone), promised),
        ),
        When(Q(eta__isnull=False), then=GreaterThan(TruncDate("eta", tzinfo=zone), promised)),
        default=Value(False),
        output_field=BooleanField(),
    )
