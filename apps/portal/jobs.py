"""What the job and leg pages (and their API) show, read from the orders models.

Every function takes a queryset the caller already scoped to the member's company (PortalView.scoped(),
SupplierScoped.get_queryset()); nothing here widens it. Customers' personal data stays out: a supplier sees the
order's reference and the delivery city, a carrier the city and coordinates it drives to — never the name or
street of the customer.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from apps.orders.actions import legs_allowed, work_items_allowed
from apps.orders.models import JobProblem, QualityCheck, TransportLeg, WorkItem
from apps.orders.status import LEG_NOT_PICKED_UP, LegStatus, WorkItemStatus
from apps.processes.selectors import process_name_annotation
from apps.uploads.models import PartUpload
from apps.uploads.selectors import upload_for_design

W = WorkItemStatus
L = LegStatus

# The inbox's sections, in the order a supplier works through them.
OFFERS = frozenset({W.OFFERED})
UPCOMING = frozenset({W.ACCEPTED})
IN_PROGRESS = frozenset({W.IN_PROGRESS, W.FAILED})
DONE = frozenset({W.DONE})
# On the schedule: what the plan holds on the supplier's machines (offered ones too: the plan reserved them).
BOOKED = frozenset({W.OFFERED, W.ACCEPTED, W.IN_PROGRESS, W.FAILED, W.DONE})
DONE_SHOWN = 50
DELIVERED_PER_PAGE = 20

LEGS_TO_PICK_UP = LEG_NOT_PICKED_UP
LEGS_ON_BOARD = frozenset({L.PICKED_UP})
LEGS_DELIVERED = frozenset({L.DELIVERED})


# --- supplier jobs ------------------------------------------------------------------------------------------


def job_rows(queryset: QuerySet[WorkItem]) -> QuerySet[WorkItem]:
    """The joins a job row needs: order (reference, city), resource, and the process's name."""
    return queryset.select_related("order", "resource").annotate(process_name=process_name_annotation())


def job_rows_with_spec(queryset: QuerySet[WorkItem]) -> QuerySet[WorkItem]:
    """Rows plus the ordered design's compiled operations, for job_spec (material, dimensions)."""
    return job_rows(queryset).select_related("line__design_version")


def job_detail(queryset: QuerySet[WorkItem]) -> QuerySet[WorkItem]:
    return job_rows_with_spec(queryset).prefetch_related(
        Prefetch("quality_checks", queryset=QualityCheck.objects.order_by("-created_at", "-id")),
        Prefetch("problems", queryset=JobProblem.objects.order_by("-created_at", "-id")),
    )


@dataclass(frozen=True)
class JobSpec:
    """The compiled operation behind a job: what to make, from what, how big."""

    material: str
    dimensions_mm: tuple[float, ...] | None
    duration_minutes: float | None

    @property
    def dimensions_text(self) -> str:
        if not self.dimensions_mm:
            return ""
        return " × ".join(f"{Decimal(str(d)).normalize():f}" for d in self.dimensions_mm) + " mm"


def job_spec(item: WorkItem) -> JobSpec:
    """Read from the design version the order line is pinned to (immutable, so the job never drifts)."""
    for operation in item.line.design_version.operations or []:
        if operation.get("step_key") == item.step_key:
            dimensions = operation.get("dimensions_mm")
            return JobSpec(
                material=operation.get("material") or "",
                dimensions_mm=tuple(float(d) for d in dimensions) if dimensions else None,
                duration_minutes=operation.get("duration_minutes"),
            )
    return JobSpec(material="", dimensions_mm=None, duration_minutes=None)


def job_part(item: WorkItem) -> PartUpload | None:
    """The customer's uploaded part the job's order line was designed from, if it was (None for a template
    design). Read through the job, which the caller scoped to the member's company."""
    return upload_for_design(design_id=item.line.design_version.design_id)


@dataclass
class JobInbox:
    offers: list[WorkItem]
    upcoming: list[WorkItem]
    in_progress: list[WorkItem]
    done: list[WorkItem]

    @property
    def count(self) -> int:
        return len(self.offers) + len(self.upcoming) + len(self.in_progress) + len(self.done)


def job_inbox(queryset: QuerySet[WorkItem]) -> JobInbox:
    """Offers by response deadline, upcoming and running work by planned start, the latest done jobs.

    Each live job carries `waiting_for`: "Waiting for …" while it may not start yet, else ""."""
    rows = job_rows(queryset)
    live = list(rows.filter(status__in=OFFERS | UPCOMING | IN_PROGRESS).order_by("planned_start", "id"))
    allowed = work_items_allowed(live)
    for item in live:
        item.waiting_for = allowed[item.pk].waiting_text
    done = list(rows.filter(status__in=DONE).order_by("-actual_end", "-id")[:DONE_SHOWN])
    return JobInbox(
        # The most urgent answer first; an offer without a deadline last.
        offers=sorted(
            (i for i in live if i.status in OFFERS),
            key=lambda i: (
                i.offer_deadline is None,
                i.offer_deadline.timestamp() if i.offer_deadline else 0,
                i.pk,
            ),
        ),
        upcoming=[i for i in live if i.status in UPCOMING],
        in_progress=[i for i in live if i.status in IN_PROGRESS],
        done=done,
    )


def job_bookings(queryset: QuerySet[WorkItem], *, start: datetime, end: datetime) -> QuerySet[WorkItem]:
    """Jobs holding the company's machines inside [start, end): what the dashboard's Gantt draws."""
    return (
        queryset.filter(
            status__in=BOOKED,
            resource__isnull=False,
            planned_start__isnull=False,
            planned_end__isnull=False,
            planned_start__lt=end,
            planned_end__gt=start,
        )
        .select_related("order")
        .order_by("planned_start", "id")
    )


def job_upcoming(queryset: QuerySet[WorkItem], *, now: datetime, limit: int = 8) -> list[WorkItem]:
    """Work still to do, soonest first (including offers waiting for an answer)."""
    return list(
        job_rows(queryset)
        .filter(status__in=OFFERS | UPCOMING | IN_PROGRESS, planned_end__gte=now - timedelta(days=1))
        .order_by("planned_start", "id")[:limit]
    )


# --- carrier legs -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stop:
    """One end of a leg as a driver needs it: who (a workshop, or the customer's recipient), the street address,
    whom to ask for and their phone number. Coordinates stay for the API; pages show the address."""

    label: str
    city: str
    latitude: Decimal | None
    longitude: Decimal | None
    address: str = ""
    contact: str = ""
    phone: str = ""

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def phone_link(self) -> str:
        """tel: with the digits and a leading + kept, so a tap dials it."""
        return "tel:" + "".join(c for c in self.phone if c.isdigit() or c == "+") if self.phone else ""


def _workshop_stop(owner) -> Stop:
    street = ", ".join(
        p for p in (owner.street, " ".join(q for q in (owner.postal_code, owner.city) if q)) if p
    )
    return Stop(
        label=owner.name,
        city=owner.city,
        latitude=owner.latitude,
        longitude=owner.longitude,
        address=street,
        contact=owner.contact_name,
        phone=owner.phone,
    )


def leg_rows(queryset: QuerySet[TransportLeg]) -> QuerySet[TransportLeg]:
    return queryset.select_related("order", "from_asset_owner", "to_asset_owner", "from_work_item__line")


def leg_origin(leg: TransportLeg) -> Stop:
    owner = leg.from_asset_owner
    if owner is None:
        return Stop(label="Not known yet", city="", latitude=None, longitude=None)
    return _workshop_stop(owner)


def leg_destination(leg: TransportLeg) -> Stop:
    """The workshop the leg goes to, or the customer: the recipient's name and street only while the carrier
    still has the parcel to bring (a last-mile leg not delivered yet); before and after that, the city."""
    if leg.is_last_mile or leg.to_asset_owner is None:
        order = leg.order
        stop = Stop(label="Customer", city=order.city, latitude=order.latitude, longitude=order.longitude)
        if leg.is_last_mile and leg.status in LEGS_TO_PICK_UP | LEGS_ON_BOARD:
            stop = replace(
                stop, address=order.address_text, contact=order.recipient_name, phone=order.recipient_phone
            )
        return stop
    return _workshop_stop(leg.to_asset_owner)


def leg_parts(leg: TransportLeg) -> str:
    """What the carrier moves: the part made by the job the leg leaves from, and for which product."""
    item = leg.from_work_item
    if item is None:
        return f"Goods of order {leg.order.reference}"
    product = f"{item.line.quantity} × {item.line.description}"
    what = "finished product" if leg.is_last_mile else item.name
    return f"{what} ({item.quantity} pc) for {product}"


@dataclass
class LegBoard:
    """The carrier's legs as a driver plans the day: overdue ones flagged, pick-ups grouped today / tomorrow /
    later, what is on board, and a page of the delivered ones."""

    to_pick_up: list[TransportLeg]
    on_board: list[TransportLeg]
    delivered: Page
    today: list[TransportLeg]
    tomorrow: list[TransportLeg]
    later: list[TransportLeg]

    @property
    def overdue_count(self) -> int:
        return sum(leg.overdue for leg in (*self.to_pick_up, *self.on_board))


def leg_is_overdue(leg: TransportLeg, *, now: datetime) -> bool:
    """Not picked up by its planned departure, or not delivered by its planned arrival."""
    if leg.status in LEGS_TO_PICK_UP:
        return leg.planned_departure is not None and leg.planned_departure < now
    if leg.status in LEGS_ON_BOARD:
        return leg.planned_arrival is not None and leg.planned_arrival < now
    return False


def leg_annotate(leg: TransportLeg, *, now: datetime) -> TransportLeg:
    """Puts on the leg what its rows show: both ends as stops and whether it is overdue (no queries: the
    leg comes from leg_rows)."""
    leg.origin = leg_origin(leg)
    leg.destination = leg_destination(leg)
    leg.overdue = leg_is_overdue(leg, now=now)
    return leg


def leg_board(
    queryset: QuerySet[TransportLeg], *, now: datetime, delivered_page: int | str | None = 1
) -> LegBoard:
    """Legs to pick up (each with `waiting_for`: "Waiting for …" while its parts are not made, else ""), soonest
    first and grouped by the local day of their pick-up (overdue ones count as today), legs on board, and one
    page of the delivered legs, latest first."""
    rows = leg_rows(queryset)
    live = list(rows.filter(status__in=LEGS_TO_PICK_UP | LEGS_ON_BOARD).order_by("planned_departure", "id"))
    allowed = legs_allowed(live)
    for leg in live:
        leg.waiting_for = allowed[leg.pk].waiting_text
        leg_annotate(leg, now=now)
    delivered = Paginator(
        rows.filter(status__in=LEGS_DELIVERED).order_by("-delivered_at", "-id"), DELIVERED_PER_PAGE
    )
    page = delivered.get_page(delivered_page)
    for leg in page.object_list:
        leg_annotate(leg, now=now)
    to_pick_up = [leg for leg in live if leg.status in LEGS_TO_PICK_UP]
    today = timezone.localdate(now)
    tomorrow = today + timedelta(days=1)

    def day_of(leg: TransportLeg) -> date | None:
        return timezone.localdate(leg.planned_departure) if leg.planned_departure else None

    return LegBoard(
        to_pick_up=to_pick_up,
        on_board=[leg for leg in live if leg.status in LEGS_ON_BOARD],
        delivered=page,
        today=[leg for leg in to_pick_up if leg.overdue or day_of(leg) == today],
        tomorrow=[leg for leg in to_pick_up if not leg.overdue and day_of(leg) == tomorrow],
        later=[
            leg for leg in to_pick_up if not leg.overdue and (day_of(leg) is None or day_of(leg) > tomorrow)
        ],
    )
