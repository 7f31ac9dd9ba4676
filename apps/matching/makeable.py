"""Can the network make this design at all? The checks that need no search (a machine able to take every step,
an opening long enough for it), so carts and the demo catalogue can ask cheaply and without a run row.

A design that passes may still be refused by a quote (the network is fully booked, no carrier reaches the
address, the date asked is too early): those depend on the order, not on the design. A design that fails can
never be made as configured, whatever the order: it may be saved, never ordered.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils import timezone

from apps.catalog.models import DesignVersion, ProductTemplate
from apps.catalog.selectors import template_spec_for
from apps.catalog.validation import configuration_validate
from apps.core.errors import Conflict
from apps.matching.engine import domain
from apps.matching.engine.domain import Weights
from apps.matching.engine.precheck import find_infeasibility
from apps.matching.problem import OrderInput, StepInput, origin_now, problem_build, steps_from_compiled
from apps.matching.quoting.reasons import QuoteReason, quote_reason
from apps.matching.selectors import matching_settings_get
from apps.tenants.models import Tenant

# The reasons that belong to the design itself (the others depend on the order, the address or the date).
DESIGN_REASONS = (domain.NO_CAPABLE_RESOURCE, domain.LONGER_THAN_ANY_OPENING, domain.ROUTING_CYCLE)
CHECK_ORDER = "makeable"


class DesignUnmakeable(Conflict):
    """Nobody in the network can make the design as configured: the API answers 409 with the reasons (each
    naming the step, what to change and every capable machine's own reason); pages show the message."""

    code = "unmakeable"

    def __init__(self, reasons: tuple[QuoteReason, ...]):
        self.reasons = reasons
        super().__init__(
            "This design cannot be made in this network as configured. "
            + " ".join(dict.fromkeys(r.message for r in reasons))
        )

    def conflict_details(self) -> dict:
        return {"code": self.code, "reasons": [r.as_json() for r in self.reasons]}


def steps_unmakeable(steps: tuple[StepInput, ...], *, tenant: Tenant) -> tuple[QuoteReason, ...]:
    """Why the network can never make these steps (empty: it can, capacity and transport permitting)."""
    settings = matching_settings_get()
    origin = origin_now(timezone.now())
    built = problem_build(
        orders=[OrderInput(key=CHECK_ORDER, steps=steps, due=origin, lateness_weight=0, delivery=None)],
        origin=origin,
        horizon_days=settings.horizon_days,
        currency=tenant.currency,
        time_zone=tenant.time_zone,
        weights=Weights(cost=1, lateness=1, makespan=0),
    )
    reasons = [r for r in find_infeasibility(built.problem) if r.code in DESIGN_REASONS]
    return tuple(quote_reason(built, r, settings.horizon_days) for r in reasons)


def configuration_unmakeable(
    *, template: ProductTemplate, values: Mapping[str, object], tenant: Tenant
) -> tuple[QuoteReason, ...]:
    """For raw values of a template; raises apps.catalog.validation.InvalidConfiguration."""
    configuration = configuration_validate(template_spec_for(template), values)
    return steps_unmakeable(steps_from_compiled(configuration.operations, prefix="m."), tenant=tenant)


def design_version_unmakeable(*, design_version: DesignVersion, tenant: Tenant) -> tuple[QuoteReason, ...]:
    """For a saved design version, from the operations compiled when it was saved."""
    return steps_unmakeable(steps_from_compiled(design_version.operations, prefix="m."), tenant=tenant)
