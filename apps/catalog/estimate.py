"""The catalogue estimate: a price and delivery date from the template's own cost model, without the network.

Price = the sum of every operation's cost drivers (template currency, rounded per driver to the minor unit)
plus the template's margin. Lead time = the critical path of the operations' durations in working days of
8 hours (at least one) plus the template's transport buffer, counted in working days (Mon–Fri) from today.

This is what the storefront shows until the matching engine's quote (real suppliers, capacity, transport)
replaces it in apps.matching.quoting.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from apps.catalog.compile import Operation, critical_path_minutes, operation_from_dict
from apps.catalog.models import ProductTemplate
from apps.catalog.selectors import template_spec_for
from apps.catalog.spec import TemplateSpec
from apps.catalog.validation import configuration_validate
from apps.core.currencies import round_up_to_charge_step
from apps.core.money import Money, percent_of_minor, round_to_minor

WORKDAY_MINUTES = 8 * 60
SOURCE = "catalogue_estimate"


@dataclass(frozen=True)
class StepCost:
    step_key: str
    name: str
    process: str
    quantity: int
    duration_minutes: float
    cost_minor: int
    drivers_minor: dict[str, int]


@dataclass(frozen=True)
class Estimate:
    price_minor: int
    currency: str
    subtotal_minor: int
    margin_minor: int
    lead_time_days: int
    delivery_date: dt.date
    critical_path_minutes: float
    breakdown: tuple[StepCost, ...]
    values: dict[str, object]

    @property
    def steps_count(self) -> int:
        return len(self.breakdown)

    @property
    def price(self) -> Money:
        return Money(self.price_minor, self.currency)


def catalogue_estimate(
    template: TemplateSpec | ProductTemplate, values: Mapping[str, object], *, today: dt.date | None = None
) -> Estimate:
    """Validates `values` (raises InvalidConfiguration) and estimates price and delivery date."""
    if not isinstance(template, TemplateSpec):
        template = template_spec_for(template)
    configuration = configuration_validate(template, values)
    return operations_estimate(
        configuration.operations,
        currency=template.currency,
        margin_percent=template.margin_percent,
        transport_buffer_days=template.transport_buffer_days,
        values=configuration.values,
        today=today,
    )


def operations_estimate(
    operations: Sequence[Operation | Mapping],
    *,
    currency: str,
    margin_percent: Decimal,
    transport_buffer_days: int,
    values: dict[str, object],
    today: dt.date | None = None,
) -> Estimate:
    """The estimate of operations already compiled (a template's, or a saved version's dicts, e.g. an uploaded
    part's, whose template has no routing to compile)."""
    operations = tuple(op if isinstance(op, Operation) else operation_from_dict(op) for op in operations)
    breakdown = []
    for operation in operations:
        drivers = {name: round_to_minor(amount, currency) for name, amount in operation.cost_drivers.items()}
        breakdown.append(
            StepCost(
                step_key=operation.step_key,
                name=operation.name,
                process=operation.process,
                quantity=operation.quantity,
                duration_minutes=operation.duration_minutes,
                cost_minor=sum(drivers.values()),
                drivers_minor=drivers,
            )
        )
    subtotal = sum(step.cost_minor for step in breakdown)
    # The margin absorbs the rounding up to an amount Stripe can charge (KWD ends in 0, ISK in 00).
    margin = (
        round_up_to_charge_step(subtotal + percent_of_minor(subtotal, margin_percent), currency) - subtotal
    )
    path = critical_path_minutes(operations)
    lead_time = max(1, math.ceil(path / WORKDAY_MINUTES)) + transport_buffer_days
    start = today or dt.date.today()
    return Estimate(
        price_minor=subtotal + margin,
        currency=currency,
        subtotal_minor=subtotal,
        margin_minor=margin,
        lead_time_days=lead_time,
        delivery_date=add_working_days(start, lead_time),
        critical_path_minutes=round(path, 2),
        breakdown=tuple(breakdown),
        values=values,
    )


def add_working_days(start: dt.date, days: int) -> dt.date:
    current = start
    while days > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current
