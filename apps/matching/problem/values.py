"""What the problem builder takes (orders, steps, pins) and gives back (the Problem with its lookups)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from apps.core.geodesy import Point
from apps.core.money import round_to_minor
from apps.matching.engine.domain import Problem

NETWORK_ORDER = "network"  # the synthetic order holding committed work as fixed bookings
PIN_PREFIX = "pin:"
# Carriers bill by volumetric weight: cm³ / 5000 = kg (the parcel industry's divisor).
VOLUMETRIC_MM3_PER_KG = Decimal(5_000_000)


# --------------------------------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class StepInput:
    """One operation to plan: a compiled routing step of one order line (or of a quoted design)."""

    op_id: str
    step_key: str
    name: str
    process: str
    material: str
    dimensions_mm: tuple[float, float, float]
    reference_minutes: Decimal  # at speed factor 1, for the whole line quantity
    quantity: int  # parts in the step times the line quantity
    predecessors: tuple[str, ...] = ()  # op ids
    line_id: int | None = None
    release: datetime | None = None
    declined_by: frozenset[int] = frozenset()  # resources whose owner gave this job back
    # Asset owners that gave this job back: none of their resources is offered the step again (unless staff
    # overrode the decline, then only the declined resource stays out: `declined_by`).
    declined_by_owners: frozenset[int] = frozenset()
    # Bought-in materials for the whole line quantity, in the currency's major units (the catalog's
    # material_cost). The supplier buys them whichever resource does the work, so they are priced beside the
    # plan and never enter the solver.
    material_cost: Decimal = Decimal(0)

    @property
    def weight_kg(self) -> Decimal:
        volume = Decimal(1)
        for side in self.dimensions_mm:
            volume *= Decimal(str(max(side, 1.0)))
        return (volume * self.quantity / VOLUMETRIC_MM3_PER_KG).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Pin:
    """An operation that keeps its resource and times (started work, or unaffected work in a narrow re-plan)."""

    resource_pk: int
    start: datetime
    end: datetime
    started: bool


@dataclass(frozen=True)
class OrderInput:
    key: str
    steps: tuple[StepInput, ...]
    due: datetime | None
    lateness_weight: int
    delivery: Point | None
    pins: Mapping[str, Pin] = field(default_factory=dict)
    order_pk: int | None = None


def steps_from_compiled(
    operations: Iterable[Mapping | object], *, prefix: str, quantity: int = 1, line_id: int | None = None
) -> tuple[StepInput, ...]:
    """StepInputs from catalog operations (apps.catalog.compile.Operation or DesignVersion.operations dicts)."""
    steps = []
    for raw in operations:
        data = raw if isinstance(raw, Mapping) else raw.as_dict()  # type: ignore[attr-defined]
        dims = tuple(float(d) for d in data.get("dimensions_mm") or (0, 0, 0))
        steps.append(
            StepInput(
                op_id=f"{prefix}{data['step_key']}",
                step_key=str(data["step_key"]),
                name=str(data.get("name") or data["step_key"]),
                process=str(data["process"]),
                material=str(data.get("material") or ""),
                dimensions_mm=(*dims, 0.0, 0.0, 0.0)[:3],  # type: ignore[arg-type]
                reference_minutes=Decimal(str(data["duration_minutes"])) * quantity,
                quantity=int(data.get("quantity") or 1) * quantity,
                predecessors=tuple(f"{prefix}{p}" for p in data.get("predecessors") or ()),
                line_id=line_id,
                # versions saved before steps named their materials have none
                material_cost=Decimal(str(data.get("material_cost") or 0)) * quantity,
            )
        )
    return tuple(steps)


# --------------------------------------------------------------------------------------------------- output


@dataclass(frozen=True)
class ResourceInfo:
    pk: int
    name: str
    process: str
    owner_pk: int
    owner_name: str
    max_mm: tuple[int, int, int]
    materials: tuple[str, ...]
    eligible: bool


@dataclass(frozen=True)
class SiteInfo:
    id: str
    name: str
    point: Point
    owner_pk: int | None  # None: a customer's delivery point


@dataclass
class BuiltProblem:
    """The Problem plus the lookups that turn its ids back into rows and its minutes back into times."""

    problem: Problem
    origin: datetime
    horizon_end: datetime
    currency: str
    time_zone: str
    steps: dict[str, StepInput]
    orders: dict[str, OrderInput]
    resources: dict[str, ResourceInfo]
    sites: dict[str, SiteInfo]
    carriers: dict[str, str]  # carrier id -> name
    distances: dict[tuple[str, str], float]  # (from site, to site) -> km
    weights_kg: dict[str, Decimal]  # order key -> weight moved
    rejections_by_kind: dict[str, list[tuple[str, str, str]]]  # op id -> (resource id, kind, text)
    process_resources: dict[str, list[ResourceInfo]]  # process -> every resource of it (for messages)

    def at(self, minutes: int) -> datetime:
        return self.origin + timedelta(minutes=minutes)

    def minutes(self, moment: datetime) -> int:
        return math.floor((moment - self.origin).total_seconds() / 60)

    def real_resource(self, resource_id: str) -> ResourceInfo:
        """The resource row behind a problem resource id (a pin's copy maps to its real resource)."""
        return self.resources[resource_id]

    def site_owner(self, site_id: str) -> int | None:
        return self.sites[site_id].owner_pk

    def materials_minor(self, op_id: str) -> int:
        """The step's bought-in materials in minor units of the problem's currency (0 for committed work)."""
        step = self.steps.get(op_id)
        if step is None or not step.material_cost:
            return 0
        return round_to_minor(step.material_cost, self.currency)

    def plan_materials_minor(self, assignments: Iterable[str]) -> int:
        """The bought-in materials of the steps among these operation ids."""
        return sum(self.materials_minor(op_id) for op_id in assignments)


def origin_now(now: datetime) -> datetime:
    """Now rounded up to the next whole minute (UTC)."""
    now = now.astimezone(UTC)
    floor = now.replace(second=0, microsecond=0)
    return floor if floor == now else floor + timedelta(minutes=1)


def owner_site(owner_pk: int) -> str:
    return f"ao:{owner_pk}"


def minutes_from(moment: datetime, origin: datetime) -> int:
    return math.floor((moment - origin).total_seconds() / 60)


def minutes_up_from(moment: datetime, origin: datetime) -> int:
    return math.ceil((moment - origin).total_seconds() / 60)
