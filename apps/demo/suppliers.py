"""The demo network's suppliers: 15 workshops across the Netherlands, 50 resources, 3 carriers.

Idempotent: rows are found by name and only missing ones are created; calendars are set only on resources that
have none. Run inside the demo tenant's schema (apps/demo/seed.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction

from apps.accounts.models import User
from apps.suppliers.models import AssetOwner, CalendarExceptionKind, Carrier, Participant, RateCard, Resource
from apps.suppliers.selectors import network_settings
from apps.suppliers.services import (
    calendar_exception_add,
    opening_hours_replace,
    participant_connect_account_set,
    participant_connect_update,
    participant_member_add,
    participant_transition,
    rate_card_update,
    resource_create,
)
from apps.suppliers.status import MemberRole, ParticipantStatus

logger = logging.getLogger(__name__)

SUPPLIER_LOGIN = "supplier@demo.localhost"
CARRIER_LOGIN = "carrier@demo.localhost"

WEEKDAYS = range(5)
# Calendar patterns: (weekday, opens, closes) rows. time(0) as a close means midnight at the end of the day.
CALENDARS: dict[str, list[tuple[int, time, time]]] = {
    "day": [(d, time(8), time(17)) for d in WEEKDAYS],
    "lunch_break": [row for d in WEEKDAYS for row in ((d, time(8), time(12)), (d, time(12, 30), time(17)))],
    "two_shifts": [row for d in WEEKDAYS for row in ((d, time(6), time(14)), (d, time(14), time(22)))],
    "saturday_shop": [(d, time(9), time(18)) for d in range(6)],
    "round_the_clock": [(d, time(0), time(0)) for d in range(7)],
    "early": [(d, time(7), time(15, 30)) for d in WEEKDAYS],
}


@dataclass(frozen=True)
class R:
    """A demo resource. Money in euro cents."""

    name: str
    process: str
    dims: tuple[int, int, int]
    setup: int
    per_minute: int
    minimum: int
    speed: str = "1.00"
    capacity: int = 1
    materials: tuple[str, ...] = ()
    tolerance: str = "0.100"
    calendar: str = "day"
    maintenance: bool = False


@dataclass(frozen=True)
class Site:
    name: str
    city: str
    lat: str
    lon: str
    street: str
    postal_code: str
    resources: tuple[R, ...] = field(default_factory=tuple)


# Every material the demo catalogue offers is worked somewhere, at every size it offers
# (tests/matching/test_demo_catalogue_makeable.py sweeps the catalogue against this network).
WOODS = ("oak", "walnut", "birch plywood", "ash", "MDF")
METALS = ("steel", "stainless steel", "aluminium")
FABRICS = ("wool", "linen", "leather", "cotton")

# fmt: off
SITES = [
    Site("Brainport Precision", "Eindhoven", "51.441642", "5.469722", "Torenallee 20", "5617 BC", (
        R("DMG Mori 5-axis", "cnc_milling", (800, 600, 500), 4500, 180, 6000, "1.30", materials=(*METALS, "oak"), tolerance="0.020", calendar="two_shifts"),
        R("Haas VF-2", "cnc_milling", (760, 400, 500), 3000, 120, 4000, materials=METALS, tolerance="0.050", calendar="two_shifts", maintenance=True),
        R("Trumpf TruLaser 3030", "laser_cutting", (3000, 1500, 25), 2500, 150, 3500, "1.20", materials=METALS, calendar="two_shifts"),
        R("Final inspection cell", "quality_inspection", (2000, 1000, 1000), 500, 60, 1500, capacity=2, tolerance="0.010"),
    )),
    Site("Tilburg Textielwerk", "Tilburg", "51.555100", "5.091300", "Goirkestraat 96", "5046 GN", (
        R("Juki sewing line", "sewing", (2000, 1500, 300), 1000, 55, 2000, capacity=4, materials=FABRICS, tolerance="1.000"),
        R("Upholstery bench A", "upholstery", (2200, 1200, 1000), 1500, 70, 3000, materials=(*FABRICS, "foam"), tolerance="2.000", calendar="lunch_break"),
        R("Upholstery bench B", "upholstery", (2200, 1200, 1000), 1500, 75, 3000, "0.90", materials=(*FABRICS, "foam"), tolerance="2.000", calendar="lunch_break"),
    )),
    Site("Domstad Meubelmakers", "Utrecht", "52.090737", "5.121420", "Cartesiusweg 90", "3534 BD", (
        R("Biesse Rover CNC router", "cnc_milling", (3000, 1500, 150), 3500, 110, 4500, "1.10", materials=WOODS, tolerance="0.200"),
        R("Assembly floor", "assembly", (2500, 1500, 2000), 800, 50, 1500, capacity=3, materials=(*WOODS, *METALS), tolerance="1.000"),
        R("Spray booth", "painting", (2500, 1500, 2000), 2000, 65, 2500, materials=WOODS, tolerance="0.500"),
        R("Trotec flatbed laser (wood)", "laser_cutting", (3200, 2200, 60), 1500, 80, 2000, materials=(*WOODS, "acrylic"), tolerance="0.150"),
    )),
    Site("Eemland Metaal", "Amersfoort", "52.156111", "5.387827", "Nijverheidsweg-Noord 50", "3812 PM", (
        R("Bystronic press brake", "sheet_bending", (3000, 1000, 500), 2000, 95, 3000, materials=METALS, tolerance="0.200"),
        R("TIG welding bay", "welding", (2500, 1500, 1500), 1500, 110, 2500, capacity=2, materials=METALS, tolerance="0.500", calendar="early"),
        R("Amada laser", "laser_cutting", (2500, 1250, 20), 2200, 140, 3200, "0.90", materials=METALS),
    )),
    Site("Maashaven Coatings", "Rotterdam", "51.924420", "4.477733", "Maashaven Zuidzijde 2", "3081 AE", (
        R("Powder coating line", "powder_coating", (3000, 1200, 2000), 4000, 90, 5000, "1.25", capacity=2, materials=METALS, calendar="two_shifts"),
        R("Wet paint booth", "painting", (3000, 1500, 2200), 2500, 80, 3000, materials=(*METALS, *WOODS), tolerance="0.300"),
        R("Export packing", "packaging", (3000, 2000, 2000), 300, 30, 800, capacity=3, tolerance="5.000", calendar="two_shifts"),
    )),
    Site("Delft Additive Lab", "Delft", "52.011577", "4.357068", "Rotterdamseweg 145", "2628 AL", (
        R("Prusa farm (12 printers)", "fdm_printing", (250, 210, 210), 300, 8, 500, capacity=12, materials=("PLA", "PETG", "ASA"), tolerance="0.200", calendar="round_the_clock"),
        R("Formlabs Form 3L", "sla_printing", (335, 200, 300), 800, 22, 1500, capacity=2, materials=("standard resin", "tough resin"), tolerance="0.050", calendar="round_the_clock"),
        R("Metrology room", "quality_inspection", (1000, 1000, 800), 700, 70, 1500, "1.10", tolerance="0.005"),
        R("Print finishing booth", "painting", (600, 400, 400), 500, 40, 800, materials=("PLA", "PETG", "ASA", "standard resin", "tough resin"), tolerance="0.300"),
        R("EOS Formiga P 110", "sls_printing", (200, 250, 330), 1500, 30, 2500, capacity=4, materials=("PA12", "PA11"), tolerance="0.150", calendar="round_the_clock"),
        R("HP Jet Fusion 5200", "mjf_printing", (380, 284, 380), 2000, 35, 3000, "1.10", capacity=6, materials=("PA12", "PA11", "TPU"), tolerance="0.200", calendar="round_the_clock"),
    )),
    Site("Bossche Staalbouw", "Den Bosch", "51.697816", "5.303675", "De Rietvelden 10", "5231 DL", (
        R("MIG welding line", "welding", (4000, 2000, 2000), 1200, 90, 2000, "1.20", capacity=3, materials=("steel",), tolerance="1.000", calendar="early"),
        R("Trumpf TruBend 5130", "sheet_bending", (3000, 1200, 600), 1800, 85, 2500, "1.15", materials=METALS, tolerance="0.150"),
        R("Steel assembly hall", "assembly", (6000, 3000, 3000), 1000, 60, 2000, capacity=2, materials=METALS, tolerance="2.000"),
    )),
    Site("Nijmeegse Houtwerken", "Nijmegen", "51.812563", "5.837226", "Winkelsteegseweg 150", "6534 AG", (
        R("Homag CNC", "cnc_milling", (2500, 1250, 120), 2800, 100, 4000, materials=WOODS, tolerance="0.200", calendar="lunch_break"),
        R("Bench assembly", "assembly", (2500, 1200, 1500), 600, 45, 1200, capacity=2, materials=WOODS, tolerance="1.000", calendar="lunch_break"),
        R("Oil and lacquer room", "painting", (2500, 1200, 1500), 1500, 55, 2000, "0.85", materials=WOODS, tolerance="0.500"),
    )),
    Site("Arnhem Stoffering", "Arnhem", "51.985103", "5.898730", "Westervoortsedijk 73", "6827 AV", (
        R("Upholstery workshop", "upholstery", (2400, 1400, 1200), 1800, 80, 3500, "1.20", capacity=2, materials=(*FABRICS, "foam"), tolerance="2.000", calendar="saturday_shop"),
        R("Industrial sewing", "sewing", (2000, 1500, 300), 1000, 60, 2000, materials=FABRICS, tolerance="1.000", calendar="saturday_shop"),
        R("Packing table", "packaging", (2500, 1500, 1500), 300, 25, 600, tolerance="5.000", calendar="saturday_shop"),
    )),
    Site("Zwolle Precisie", "Zwolle", "52.516775", "6.083022", "Marsweg 51", "8013 PE", (
        R("Mazak Integrex", "cnc_milling", (600, 500, 400), 5000, 200, 7000, "1.40", materials=METALS, tolerance="0.010", calendar="two_shifts"),
        R("CMM inspection", "quality_inspection", (1200, 1000, 800), 900, 85, 2000, tolerance="0.002"),
        R("Kitting and packing", "packaging", (2000, 1500, 1500), 250, 25, 500, capacity=2, tolerance="5.000"),
    )),
    Site("Twente Laser & Buig", "Enschede", "52.221537", "6.893662", "Het Lentfert 5", "7547 SN", (
        R("Fiber laser 6 kW", "laser_cutting", (3000, 1500, 30), 2000, 130, 3000, "1.35", materials=METALS, calendar="two_shifts"),
        R("Press brake 170 t", "sheet_bending", (3000, 1200, 600), 1700, 80, 2500, materials=METALS, tolerance="0.200", calendar="two_shifts"),
        R("Powder booth", "powder_coating", (2000, 1000, 1500), 3500, 95, 4500, "0.95", materials=METALS),
    )),
    Site("Bredase Montage", "Breda", "51.571915", "4.768323", "Minervum 7061", "4817 ZK", (
        R("Assembly line 1", "assembly", (3000, 1500, 2000), 700, 45, 1500, "1.10", capacity=4, materials=(*WOODS, *METALS, *FABRICS), tolerance="1.000", calendar="early"),
        R("Inspection desk", "quality_inspection", (1500, 1000, 1000), 400, 50, 1000, capacity=2, tolerance="0.050", calendar="early"),
        R("Furniture inspection bay", "quality_inspection", (3000, 1500, 1500), 500, 50, 1200, tolerance="0.500", calendar="early"),
        R("Packaging line", "packaging", (3000, 2000, 2000), 250, 20, 500, "1.30", capacity=2, tolerance="5.000", calendar="early"),
    )),
    Site("Spaarne Makers", "Haarlem", "52.387388", "4.646219", "Waarderweg 52", "2031 BP", (
        R("Ultimaker S7 cluster", "fdm_printing", (330, 240, 300), 400, 9, 600, "1.10", capacity=6, materials=("PLA", "PETG", "nylon"), tolerance="0.200", calendar="round_the_clock"),
        R("Laser cutter (wood/acrylic)", "laser_cutting", (1300, 900, 20), 1200, 70, 1500, materials=("birch plywood", "acrylic", "MDF"), tolerance="0.150"),
        R("Maker assembly", "assembly", (1500, 1000, 1000), 500, 40, 1000, capacity=2, tolerance="1.000"),
    )),
    Site("Leidse Lak & Lijm", "Leiden", "52.160114", "4.497010", "Rooseveltstraat 18", "2321 BM", (
        R("Furniture paint shop", "painting", (2500, 1500, 2000), 1800, 60, 2200, "1.05", capacity=2, materials=(*WOODS, *METALS), tolerance="0.300", calendar="lunch_break"),
        R("SLA resin printer", "sla_printing", (145, 145, 185), 600, 18, 1000, materials=("standard resin",), tolerance="0.050", calendar="round_the_clock"),
        R("Gluing and fitting", "assembly", (2000, 1200, 1200), 500, 40, 1000, materials=WOODS, tolerance="1.000"),
    )),
    Site("Veluwe Werkplaats", "Apeldoorn", "52.211157", "5.969923", "Ravenweg 2", "7332 AZ", (
        R("Sewing studio", "sewing", (1800, 1400, 300), 800, 50, 1500, "1.10", capacity=3, materials=FABRICS, tolerance="1.000", calendar="saturday_shop"),
        R("Welding corner", "welding", (2000, 1200, 1200), 1000, 85, 1800, materials=("steel",), tolerance="1.000"),
        R("Packing and dispatch", "packaging", (2500, 1500, 1500), 200, 20, 500, tolerance="5.000"),
    )),
]
# fmt: on


@dataclass(frozen=True)
class CarrierSpec:
    name: str
    city: str
    lat: str
    lon: str
    street: str
    postal_code: str
    radius_km: int
    speed_kmh: int
    handling_hours: str
    base_fee: int
    per_km: int
    per_kg: int
    max_kg: str


# fmt: off
CARRIERS = [
    CarrierSpec("Brabant Express", "Eindhoven", "51.448600", "5.450000", "Hurksestraat 44", "5652 AL", 90, 60, "0.50", 950, 60, 5, "200"),
    CarrierSpec("Randstad Koeriers", "Utrecht", "52.078700", "5.083200", "Atoomweg 350", "3542 AB", 130, 70, "0.75", 1500, 45, 10, "500"),
    CarrierSpec("Noord-Oost Logistiek", "Zwolle", "52.505000", "6.100000", "Hanzelaan 300", "8017 JM", 220, 75, "1.50", 2500, 35, 2, "2000"),
]
# fmt: on

ConnectOnboard = Callable[[Participant], bool]


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-").replace("--", "-")


def participant_demo_approve(participant: Participant) -> None:
    if participant.status == ParticipantStatus.APPLIED:
        participant_transition(participant=participant, to=ParticipantStatus.APPROVED, reason="Demo network")


def participant_demo_onboard(participant: Participant, connect_onboard: ConnectOnboard | None) -> str:
    """Onboarded on the local Stripe server when it answers; otherwise a seeded `acct_demo_*` state."""
    if connect_onboard is not None and connect_onboard(participant):
        return "stripe_local"
    participant.refresh_from_db()
    if not participant.stripe_account_id:
        participant_connect_account_set(
            participant=participant, account_id=f"acct_demo_{participant.kind}_{participant.pk}"
        )
        participant.refresh_from_db()
    if participant.stripe_account_id.startswith("acct_demo_"):
        participant_connect_update(
            account_id=participant.stripe_account_id,
            charges_enabled=True,
            payouts_enabled=True,
            details_submitted=True,
            transfers_active=True,
            requirements_due=[],
        )
        return "seeded"
    return "unchanged"


def _site_defaults(spec, email_domain: str) -> dict:
    return {
        "contact_name": "Planning desk",
        "contact_email": f"planning@{email_domain}.example",
        # A made-up number in the site's shape, so drivers' pages show where a call would go.
        "phone": f"+31 85 {spec.postal_code[:4]} 0{len(spec.city) % 10}",
        "street": spec.street,
        "postal_code": spec.postal_code,
        "city": spec.city,
        "country": "NL",
        "latitude": Decimal(spec.lat),
        "longitude": Decimal(spec.lon),
    }


def _maintenance_window(time_zone: str) -> tuple[datetime, datetime]:
    """Next week's Wednesday, 08:00–17:00 local: a full working day of planned maintenance."""
    zone = ZoneInfo(time_zone)
    today = datetime.now(zone).date()
    wednesday = today + timedelta(days=(2 - today.weekday()) % 7 + 7)
    return (
        datetime.combine(wednesday, time(8), tzinfo=zone),
        datetime.combine(wednesday, time(17), tzinfo=zone),
    )


def _member(participant: Participant, email: str) -> None:
    user = User.objects.filter(email=email).first()
    if user is not None:
        participant_member_add(participant=participant, user=user, role=MemberRole.OWNER)


@transaction.atomic
def suppliers_demo_seed(*, connect_onboard: ConnectOnboard | None = None) -> dict[str, int]:
    """Creates what is missing of the demo network and returns counts (asset owners, resources, carriers, and
    how many participants were onboarded on the local Stripe server vs. seeded with `acct_demo_*` state)."""
    network = network_settings()
    stats = {"asset_owners": 0, "resources": 0, "carriers": 0, "stripe_local": 0, "seeded": 0}
    for site in SITES:
        owner = AssetOwner.objects.filter(name=site.name).first()
        if owner is None:
            owner = AssetOwner(name=site.name, **_site_defaults(site, _slug(site.name)))
            owner.full_clean()
            owner.save()
        participant_demo_approve(owner)
        for spec in site.resources:
            resource = Resource.objects.filter(asset_owner=owner, name=spec.name).first()
            if resource is None:
                resource = resource_create(
                    asset_owner=owner,
                    name=spec.name,
                    process=spec.process,
                    capacity=spec.capacity,
                    max_length_mm=spec.dims[0],
                    max_width_mm=spec.dims[1],
                    max_height_mm=spec.dims[2],
                    materials=list(spec.materials),
                    tolerance_mm=Decimal(spec.tolerance),
                    setup_cost_minor=spec.setup,
                    cost_per_minute_minor=spec.per_minute,
                    minimum_charge_minor=spec.minimum,
                    speed_factor=Decimal(spec.speed),
                )
            if not resource.opening_hours.exists():
                opening_hours_replace(resource=resource, intervals=CALENDARS[spec.calendar])
            if spec.maintenance and not resource.calendar_exceptions.exists():
                starts, ends = _maintenance_window(network.time_zone)
                calendar_exception_add(
                    resource=resource,
                    kind=CalendarExceptionKind.CLOSED,
                    starts_at=starts,
                    ends_at=ends,
                    reason="Planned spindle maintenance",
                )
            stats["resources"] += 1
        outcome = participant_demo_onboard(owner, connect_onboard)
        stats[outcome] = stats.get(outcome, 0) + 1
        stats["asset_owners"] += 1
    for spec in CARRIERS:
        carrier = Carrier.objects.filter(name=spec.name).first()
        if carrier is None:
            carrier = Carrier(
                name=spec.name,
                coverage_radius_km=spec.radius_km,
                speed_kmh=spec.speed_kmh,
                handling_hours=Decimal(spec.handling_hours),
                **_site_defaults(spec, _slug(spec.name)),
            )
            carrier.full_clean()
            carrier.save()
        if not RateCard.objects.filter(carrier=carrier).exists():
            rate_card_update(
                carrier=carrier,
                base_fee_minor=spec.base_fee,
                per_km_minor=spec.per_km,
                per_kg_minor=spec.per_kg,
                max_weight_kg=Decimal(spec.max_kg),
            )
        participant_demo_approve(carrier)
        outcome = participant_demo_onboard(carrier, connect_onboard)
        stats[outcome] = stats.get(outcome, 0) + 1
        stats["carriers"] += 1
    _member(AssetOwner.objects.get(name=SITES[0].name), SUPPLIER_LOGIN)
    _member(Carrier.objects.get(name=CARRIERS[0].name), CARRIER_LOGIN)
    return stats
