"""What the network can do for uploaded parts right now, read once as plain data: the process rates
(apps.processes.ProcessRate) and the machines that are up at eligible workshops.

Options (options.py), operations (operations.py) and findings (checks.py) are pure functions of an Offer, so
one request reads the network once (two queries) and tests can build an Offer by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from apps.processes.models import Process, ProcessRate, RateKind
from apps.suppliers.selectors import network_settings, resource_list_eligible


def material_key(material: str) -> str:
    """The comparable form of a material name (as the matching engine compares them): "Stainless_Steel" and
    "stainless steel" are the same material."""
    return " ".join(material.replace("_", " ").lower().split())


@dataclass(frozen=True)
class Rate:
    """A ProcessRate as plain data (decimals as floats; money in minor units of the offer's currency)."""

    process: str
    process_name: str
    kind: str
    material: str  # material_key form; "" = any material
    thickness_mm: float = 0.0
    setup_minutes: float = 0.0
    min_wall_mm: float = 0.0
    deposition_cm3_per_hour: float = 0.0
    build_mm_per_hour: float = 0.0
    density_g_per_cm3: float = 0.0
    infill_percents: tuple[int, ...] = ()
    colours: tuple[str, ...] = ()
    cut_mm_per_minute: float = 0.0
    pierce_seconds: float = 0.0
    minutes_per_bend: float = 0.0
    minutes_per_m2: float = 0.0
    removal_cm3_per_hour: float = 0.0
    tolerance_factors: tuple[tuple[str, float], ...] = ()
    finish_minutes: tuple[tuple[str, float], ...] = ()
    material_minor_per_kg: int = 0
    material_minor_per_m2: int = 0

    def tolerance_factor(self, tolerance: str) -> float | None:
        return dict(self.tolerance_factors).get(tolerance)

    def finish_minutes_per_dm2(self, finish: str) -> float | None:
        return dict(self.finish_minutes).get(finish)


@dataclass(frozen=True)
class Machine:
    """An eligible resource that is up: what it takes (materials as material keys; empty = any)."""

    process: str
    name: str
    workshop: str
    materials: frozenset[str]
    max_mm: tuple[int, int, int]
    tolerance_mm: float

    def works(self, material: str) -> bool:
        return not material or not self.materials or material_key(material) in self.materials

    def fits(self, size_mm: tuple[float, ...]) -> bool:
        """Turned the best way, each side within the machine's limits (as the matching engine checks)."""
        sides = sorted((*size_mm, 0.0, 0.0, 0.0)[:3], reverse=True)
        limits = sorted(self.max_mm, reverse=True)
        return all(side <= limit for side, limit in zip(sides, limits, strict=True))


@dataclass(frozen=True)
class Offer:
    currency: str
    rates: tuple[Rate, ...]
    machines: tuple[Machine, ...]
    # Process code → its materials as staff listed them (material keys), for rates that take any material.
    process_materials: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def machines_for(
        self,
        process: str,
        material: str = "",
        *,
        thickness_mm: float = 0.0,
        tolerance_mm: float | None = None,
    ) -> list[Machine]:
        """Machines of `process` that work `material`, take a sheet of `thickness_mm` and
        hold `tolerance_mm` (None: any tolerance)."""
        return [
            m
            for m in self.machines
            if m.process == process
            and m.works(material)
            and thickness_mm <= min(m.max_mm)  # a sheet's thickness is the machine's smallest limit
            and (tolerance_mm is None or m.tolerance_mm <= tolerance_mm + 1e-9)
        ]

    def rate_for(self, process: str, material: str, thickness_mm: float = 0.0) -> Rate | None:
        """The rate of `process` for `material` (its own row, else the any-material row) at `thickness_mm`."""
        key = material_key(material)
        rows = [r for r in self.rates if r.process == process and abs(r.thickness_mm - thickness_mm) < 1e-6]
        return next((r for r in rows if r.material == key), None) or next(
            (r for r in rows if not r.material), None
        )

    def rates_of(self, kind: str) -> list[Rate]:
        return [r for r in self.rates if r.kind == kind]

    def materials_of(self, rate: Rate) -> list[str]:
        """The materials a rate prices: its own, or for an any-material rate those its machines list (else the
        process's own list)."""
        if rate.material:
            return [rate.material]
        listed = sorted(
            {m for machine in self.machines if machine.process == rate.process for m in machine.materials}
        )
        return listed or list(self.process_materials.get(rate.process, ()))


def _float(value) -> float:
    return float(value) if value is not None else 0.0


def rate_from(row: ProcessRate) -> Rate:
    return Rate(
        process=row.process.code,
        process_name=row.process.name,
        kind=row.kind,
        material=material_key(row.material),
        thickness_mm=_float(row.thickness_mm),
        setup_minutes=_float(row.setup_minutes),
        min_wall_mm=_float(row.min_wall_mm),
        deposition_cm3_per_hour=_float(row.deposition_cm3_per_hour),
        build_mm_per_hour=_float(row.build_mm_per_hour),
        density_g_per_cm3=_float(row.density_g_per_cm3),
        infill_percents=tuple(sorted(set(row.infill_percents or ()))),
        colours=tuple(row.colours or ()),
        cut_mm_per_minute=_float(row.cut_mm_per_minute),
        pierce_seconds=_float(row.pierce_seconds),
        minutes_per_bend=_float(row.minutes_per_bend),
        minutes_per_m2=_float(row.minutes_per_m2),
        removal_cm3_per_hour=_float(row.removal_cm3_per_hour),
        tolerance_factors=tuple((str(k), float(v)) for k, v in (row.tolerance_factors or {}).items()),
        # The quickest finish first (the default), then by name: JSON objects keep no order in PostgreSQL.
        finish_minutes=tuple(
            sorted(
                ((str(k), float(v)) for k, v in (row.finish_minutes or {}).items()),
                key=lambda kv: (kv[1], kv[0]),
            )
        ),
        material_minor_per_kg=row.material_minor_per_kg,
        material_minor_per_m2=row.material_minor_per_m2,
    )


def network_offer(*, kinds: tuple[str, ...] = tuple(RateKind.values)) -> Offer:
    """The network's rates of `kinds` for active processes, and its eligible machines that are up."""
    rows = ProcessRate.objects.filter(kind__in=kinds, process__active=True).select_related("process")
    rates = tuple(rate_from(row) for row in rows)
    codes = {rate.process for rate in rates}
    machines = tuple(
        Machine(
            process=r.process,
            name=r.name,
            workshop=r.asset_owner.name,
            materials=frozenset(material_key(m) for m in r.materials or ()),
            max_mm=(r.max_length_mm, r.max_width_mm, r.max_height_mm),
            tolerance_mm=float(r.tolerance_mm),
        )
        for r in resource_list_eligible()
        .filter(process__in=codes)
        .select_related("asset_owner")
        .prefetch_related(None)
    )
    materials = {
        code: tuple(material_key(m) for m in materials or ())
        for code, materials in Process.objects.filter(code__in=codes).values_list("code", "materials")
    }
    return Offer(
        currency=network_settings().currency, rates=rates, machines=machines, process_materials=materials
    )
