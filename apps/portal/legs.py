"""What the carrier's leg pages (and their API) show, read from the orders models.

Every function takes a queryset the caller already scoped to the member's company (PortalView.scoped(),
the API's scoped querysets); nothing here widens it. A carrier sees the customer's city and coordinates, and the
recipient's name, street and phone only while it still has the parcel to bring (a last-mile leg not delivered).

The legs board (`leg_board`) reads everything it shows in one statement, as plain values: the live legs with
what each waits for, one page of the delivered legs and their total. Its rows format their stops on first use.
The page keeps the board's HTML under `board_fingerprint_sql` (every row it is drawn from) and `board_drawn_from`
(what it shows of the clock), so a board that still stands costs one statement and is neither read nor drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache, cached_property

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from apps.core.fragments import rows_fingerprint_sql, table_sql
from apps.orders.models import Order, TransportLeg, WorkItem
from apps.orders.models.address import address_text
from apps.orders.models.order import order_reference
from apps.orders.selectors import leg_source_waiting
from apps.orders.status import LEG_NOT_PICKED_UP, LegStatus, waiting_message
from apps.suppliers.models import AssetOwner

L = LegStatus

DELIVERED_PER_PAGE = 20
LEGS_TO_PICK_UP = LEG_NOT_PICKED_UP
LEGS_ON_BOARD = frozenset({L.PICKED_UP})
LEGS_DELIVERED = frozenset({L.DELIVERED})
LEGS_LIVE = LEGS_TO_PICK_UP | LEGS_ON_BOARD
_STATUS_LABELS = dict(LegStatus.choices)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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


NOT_KNOWN_YET = Stop(label="Not known yet", city="", latitude=None, longitude=None)

# The columns of a workshop (suppliers.AssetOwner) and of the customer's address (orders.Order) a stop shows.
WORKSHOP_FIELDS = ("name", "street", "postal_code", "city", "latitude", "longitude", "contact_name", "phone")
CUSTOMER_FIELDS = (
    "city",
    "latitude",
    "longitude",
    "address_line",
    "postcode",
    "country",
    "recipient_name",
    "recipient_phone",
)


def _workshop_stop(field) -> Stop:
    """`field(name)` reads one of WORKSHOP_FIELDS (of a model, or of a values row)."""
    town = " ".join(q for q in (field("postal_code"), field("city")) if q)
    return Stop(
        label=field("name"),
        city=field("city"),
        latitude=field("latitude"),
        longitude=field("longitude"),
        address=", ".join(p for p in (field("street"), town) if p),
        contact=field("contact_name"),
        phone=field("phone"),
    )


def _customer_stop(field, *, status: str, is_last_mile: bool) -> Stop:
    """The customer: the recipient's name and street only while the carrier still has the parcel to bring (a
    last-mile leg not delivered yet); before and after that, the city. `field(name)` reads CUSTOMER_FIELDS."""
    stop = Stop(
        label="Customer", city=field("city"), latitude=field("latitude"), longitude=field("longitude")
    )
    if is_last_mile and status in LEGS_LIVE:
        address = address_text(field("address_line"), field("postcode"), field("city"), field("country"))
        stop = replace(stop, address=address, contact=field("recipient_name"), phone=field("recipient_phone"))
    return stop


def leg_rows(queryset: QuerySet[TransportLeg]) -> QuerySet[TransportLeg]:
    return queryset.select_related("order", "from_asset_owner", "to_asset_owner", "from_work_item__line")


def leg_origin(leg: TransportLeg) -> Stop:
    owner = leg.from_asset_owner
    if owner is None:
        return NOT_KNOWN_YET
    return _workshop_stop(lambda name: getattr(owner, name))


def leg_destination(leg: TransportLeg) -> Stop:
    """The workshop the leg goes to, or the customer (_customer_stop says how much of them)."""
    if leg.is_last_mile or leg.to_asset_owner is None:
        order = leg.order
        return _customer_stop(
            lambda name: getattr(order, name), status=leg.status, is_last_mile=leg.is_last_mile
        )
    owner = leg.to_asset_owner
    return _workshop_stop(lambda name: getattr(owner, name))


def leg_parts(leg: TransportLeg) -> str:
    """What the carrier moves: the part made by the job the leg leaves from, and for which product."""
    item = leg.from_work_item
    if item is None:
        return f"Goods of order {leg.order.reference}"
    product = f"{item.line.quantity} × {item.line.description}"
    what = "finished product" if leg.is_last_mile else item.name
    return f"{what} ({item.quantity} pc) for {product}"


def leg_is_overdue(
    status: str, departure: datetime | None, arrival: datetime | None, *, now: datetime
) -> bool:
    """Not picked up by its planned departure, or not delivered by its planned arrival."""
    if status in LEGS_TO_PICK_UP:
        return departure is not None and departure < now
    if status in LEGS_ON_BOARD:
        return arrival is not None and arrival < now
    return False


# --- the legs board -------------------------------------------------------------------------------------------

BOARD_FIELDS = (
    "id",
    "status",
    "is_last_mile",
    "planned_departure",
    "planned_arrival",
    "weight_kg",
    "order_id",
    *(f"order__{name}" for name in CUSTOMER_FIELDS),
    "from_asset_owner_id",
    *(f"from_asset_owner__{name}" for name in WORKSHOP_FIELDS),
    "to_asset_owner_id",
    *(f"to_asset_owner__{name}" for name in WORKSHOP_FIELDS),
    "from_work_item_id",
    "from_work_item__name",
    "from_work_item__status",
)


class LegRow:
    """One leg of the board as the tables show it, from a values row of BOARD_FIELDS. The stops are built on
    first use (a board served from the fragment cache never asks for them)."""

    def __init__(self, values: dict, *, now: datetime):
        self.values = values
        self.pk = values["id"]
        self.status = values["status"]
        self.status_label = _STATUS_LABELS.get(self.status, self.status)
        self.is_last_mile = values["is_last_mile"]
        self.reference = order_reference(values["order_id"])
        self.planned_departure = values["planned_departure"]
        self.planned_arrival = values["planned_arrival"]
        self.weight_kg = values["weight_kg"]
        self.overdue = leg_is_overdue(self.status, self.planned_departure, self.planned_arrival, now=now)
        self.waiting_for = ""
        if self.status in LEGS_TO_PICK_UP:
            source = None
            if values["from_work_item_id"] is not None:
                source = (values["from_work_item__name"], values["from_work_item__status"])
            self.waiting_for = waiting_message(leg_source_waiting(source))

    @cached_property
    def origin(self) -> Stop:
        if self.values["from_asset_owner_id"] is None:
            return NOT_KNOWN_YET
        return _workshop_stop(lambda name: self.values[f"from_asset_owner__{name}"])

    @cached_property
    def destination(self) -> Stop:
        if self.is_last_mile or self.values["to_asset_owner_id"] is None:
            return _customer_stop(
                lambda name: self.values[f"order__{name}"], status=self.status, is_last_mile=self.is_last_mile
            )
        return _workshop_stop(lambda name: self.values[f"to_asset_owner__{name}"])


@dataclass
class LegBoard:
    """The carrier's legs as a driver plans the day: overdue ones flagged, pick-ups grouped today / tomorrow /
    later, what is on board, and a page of the delivered ones."""

    to_pick_up: list[LegRow]
    on_board: list[LegRow]
    delivered: Page
    today: list[LegRow]
    tomorrow: list[LegRow]
    later: list[LegRow]

    @property
    def overdue_count(self) -> int:
        return sum(leg.overdue for leg in (*self.to_pick_up, *self.on_board))


def _page_number(value) -> int | None:
    """The page asked for, None when it is not a page number (Paginator.get_page: the first page)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number


def _board_values(queryset: QuerySet[TransportLeg], *, page: int) -> list[dict]:
    """The live legs and the delivered ones of `page` (latest first), each with the delivered total: one
    statement. The ranks and the total are window functions over all of the carrier's live and delivered legs;
    the page's rows are picked by rank outside them."""
    first = (page - 1) * DELIVERED_PER_PAGE
    return list(
        queryset.filter(status__in=LEGS_LIVE | LEGS_DELIVERED)
        .annotate(
            delivered_rank=Window(
                RowNumber(), partition_by=[F("status")], order_by=[F("delivered_at").desc(), F("id").desc()]
            ),
            delivered_total=Window(Count("id", filter=Q(status__in=LEGS_DELIVERED))),
        )
        .filter(
            Q(status__in=LEGS_LIVE)
            | Q(
                status__in=LEGS_DELIVERED,
                delivered_rank__gt=first,
                delivered_rank__lte=first + DELIVERED_PER_PAGE,
            )
        )
        .values(*BOARD_FIELDS, "delivered_rank", "delivered_total")
    )


def _delivered_page(queryset: QuerySet[TransportLeg], asked) -> tuple[list[dict], Page]:
    """Paginator.get_page's answer (not a number: the first page; out of range: the last) without a COUNT
    query: the total comes with the rows. A page out of range is read again (a second statement, rarely)."""
    number = _page_number(asked) or 1
    values = _board_values(queryset, page=max(number, 1))
    if values:
        total = values[0]["delivered_total"]
    elif number == 1:
        total = 0
    else:
        total = queryset.filter(status__in=LEGS_DELIVERED).count()
    paginator = Paginator((), DELIVERED_PER_PAGE)
    paginator.count = total  # cached_property: read with the rows, so the paginator never counts
    if not 1 <= number <= paginator.num_pages:
        number = paginator.num_pages
        values = _board_values(queryset, page=number)
    return values, Page([], number, paginator)


def leg_board(
    queryset: QuerySet[TransportLeg], *, now: datetime, delivered_page: int | str | None = 1
) -> LegBoard:
    """Legs to pick up (each with `waiting_for`: "Waiting for …" while its parts are not made, else ""), soonest
    first and grouped by the local day of their pick-up (overdue ones count as today), legs on board, and one
    page of the delivered legs, latest first."""
    values, page = _delivered_page(queryset, delivered_page)
    rows = [LegRow(row, now=now) for row in values]
    live = sorted(
        (row for row in rows if row.status in LEGS_LIVE),
        key=lambda row: (row.planned_departure is None, row.planned_departure or now, row.pk),
    )
    page.object_list = sorted(
        (row for row in rows if row.status in LEGS_DELIVERED), key=lambda row: row.values["delivered_rank"]
    )
    to_pick_up = [row for row in live if row.status in LEGS_TO_PICK_UP]
    today = timezone.localdate(now)
    tomorrow = today + timedelta(days=1)

    def day_of(row: LegRow) -> date | None:
        return timezone.localdate(row.planned_departure) if row.planned_departure else None

    return LegBoard(
        to_pick_up=to_pick_up,
        on_board=[row for row in live if row.status in LEGS_ON_BOARD],
        delivered=page,
        today=[row for row in to_pick_up if row.overdue or day_of(row) == today],
        tomorrow=[row for row in to_pick_up if not row.overdue and day_of(row) == tomorrow],
        later=[
            row for row in to_pick_up if not row.overdue and (day_of(row) is None or day_of(row) > tomorrow)
        ],
    )


# --- the board's fingerprint: one statement says whether the board drawn before still stands ----------------


@cache
def board_fingerprint_sql(carrier: str = "%(carrier)s") -> str:
    """SQL for the board's fingerprint of the carrier whose id `carrier` is (an SQL expression: the parameter
    %(carrier)s, or the carrier's column in the membership's statement; parameters live, delivered, first, last:
    board_fingerprint_params): the hex SHA-256 of
    every row the board is drawn from — the carrier's live legs and its delivered legs ranked (first, last]
    latest first (_board_values' rows), each with the columns the board reads of it, its order, its two workshops
    and the job it leaves from (BOARD_FIELDS) and its rank —
    then "|", the delivered total, "|" and each live leg's status, planned departure and arrival in microseconds
    (what its overdue flag is judged from against the clock). Keep in step with _board_values and LegRow."""
    leg, order = table_sql(TransportLeg), table_sql(Order)
    owner, work = table_sql(AssetOwner), table_sql(WorkItem)
    ranked = (
        "SELECT l.*, row_number() OVER (PARTITION BY l.status ORDER BY l.delivered_at DESC, l.id DESC) AS rank, "  # noqa: S608 - our tables' names only
        "count(*) FILTER (WHERE l.status = ANY(%(delivered)s)) OVER () AS delivered_total "
        f"FROM {leg} l WHERE l.carrier_id = {carrier} AND (l.status = ANY(%(live)s) OR l.status = ANY(%(delivered)s))"
    )
    shown = (
        "SELECT * FROM ranked WHERE status = ANY(%(live)s) "
        "OR (status = ANY(%(delivered)s) AND rank > %(first)s AND rank <= %(last)s)"
    )
    # The board_values' columns (and each delivered leg's rank: its place on the page), as one record per leg.
    rows_digest = rows_fingerprint_sql(
        [
            (
                f"ROW({_board_columns_sql()}, s.rank)::text",
                f"FROM shown s JOIN {order} o ON o.id = s.order_id "
                f"LEFT JOIN {owner} fa ON fa.id = s.from_asset_owner_id "
                f"LEFT JOIN {owner} ta ON ta.id = s.to_asset_owner_id "
                f"LEFT JOIN {work} fw ON fw.id = s.from_work_item_id",
                "s.id",
            )
        ]
    )
    timings = (
        "SELECT string_agg(status || ',' || coalesce(((extract(epoch FROM planned_departure) * 1000000)::bigint)::text, '') "
        "|| ',' || coalesce(((extract(epoch FROM planned_arrival) * 1000000)::bigint)::text, ''), ';' ORDER BY id) "
        "FROM shown WHERE status = ANY(%(live)s)"
    )
    return (
        f"(WITH ranked AS ({ranked}), shown AS ({shown}) "  # noqa: S608 - our tables' names only
        f"SELECT {rows_digest} "
        "|| '|' || coalesce((SELECT max(delivered_total) FROM ranked), 0) "
        f"|| '|' || coalesce(({timings}), ''))"
    )


# The fingerprint's alias of each relation BOARD_FIELDS reads through, with its model (the leg itself: "s").
_BOARD_JOINS = {
    "order": ("o", Order),
    "from_asset_owner": ("fa", AssetOwner),
    "to_asset_owner": ("ta", AssetOwner),
    "from_work_item": ("fw", WorkItem),
}


def _board_columns_sql() -> str:
    """BOARD_FIELDS as the fingerprint statement's columns: what the board is drawn from is what it hashes (the
    rest of an order's or a workshop's row cost hashing and shows nowhere). A field through a relation the
    statement does not join raises here, so the two cannot drift apart."""
    columns = []
    for name in BOARD_FIELDS:
        relation, _, field_name = name.rpartition("__")
        alias, model = _BOARD_JOINS[relation] if relation else ("s", TransportLeg)
        columns.append(f"{alias}.{connection.ops.quote_name(model._meta.get_field(field_name).column)}")
    return ", ".join(columns)


def board_fingerprint_params(carrier_id: int, asked) -> dict:
    return {"carrier": carrier_id, **board_page_params(asked)}


def board_page_params(asked) -> dict:
    """The fingerprint's parameters besides the carrier (read with the membership, the carrier is a column)."""
    first = (max(_page_number(asked) or 1, 1) - 1) * DELIVERED_PER_PAGE
    return {
        "live": sorted(LEGS_LIVE),
        "delivered": sorted(LEGS_DELIVERED),
        "first": first,
        "last": first + DELIVERED_PER_PAGE,
    }


def _moment(microseconds: str) -> datetime | None:
    return EPOCH + timedelta(microseconds=int(microseconds)) if microseconds else None


def board_drawn_from(fingerprint: str, *, asked, now: datetime) -> tuple | None:
    """What the board drawn for page `asked` at `now` is a function of, beside its rows' digest: the delivered
    total, the page, the local day and each live leg's overdue flag. None when the page asked for is out of
    range (the board then shows another page than the fingerprint covers: drawn, not kept)."""
    digest, total, timings = fingerprint.split("|")
    paginator = Paginator((), DELIVERED_PER_PAGE)
    paginator.count = int(total)
    number = _page_number(asked) or 1
    if not 1 <= number <= paginator.num_pages:
        return None
    overdue = []
    for timing in filter(None, timings.split(";")):
        status, departure, arrival = timing.split(",")
        overdue.append(leg_is_overdue(status, _moment(departure), _moment(arrival), now=now))
    return (digest, int(total), number, timezone.localdate(now), tuple(overdue))
