"""An uploaded part as catalog Operations: the measured features, the chosen options and the network's process
rates (apps.processes.ProcessRate, read into an Offer) give each step its reference duration, size and material
cost — as a template's routing does for a configured design, so quoting, matching and orders treat them alike.

One part per operation (quantity 1); the quote multiplies by the ordered quantity and batches it. Durations are
reference minutes: each workshop's resource `speed_factor` scales them in the matching engine.

- printing: setup + printed volume / deposition rate + build height / height rate (+ finishing per dm²), the
  printed volume being the shell plus the chosen infill of the inside; material = printed volume × density;
- cutting: setup + cut length / cut speed + pierces × pierce time; material = the sheet rectangle × price per m²;
  then bending (setup + bends × minutes per bend) and powder coating (both faces: m² × minutes and powder);
- machining: setup + removal volume / removal rate × the tolerance class's factor (+ finishing per dm²);
  material = the stock block × density.
"""

from __future__ import annotations

from collections.abc import Mapping

from apps.catalog.compile import Operation
from apps.core.money import from_minor
from apps.uploads.analysis.result import Features, MeshFeatures, PartKind, ProfileFeatures, SolidFeatures
from apps.uploads.offer import Offer, Rate
from apps.uploads.options import (
    BENDING,
    COATING,
    FINISH,
    INFILL,
    MATERIAL,
    PROCESS,
    THICKNESS,
    TOLERANCE,
    sheet_extras,
)
from apps.uploads.options import material_label as _label

MM3_PER_CM3 = 1000.0
MM2_PER_M2 = 1_000_000.0
MM2_PER_DM2 = 10_000.0


class RateMissing(LookupError):
    """The options name a process or material the network no longer prices (rates changed since)."""


def part_operations(
    kind: PartKind, features: Features, options: Mapping[str, object], offer: Offer
) -> tuple[Operation, ...]:
    """The operations of one part, in precedence order. `options` must be clean (options.part_options_clean)."""
    if kind == PartKind.MESH and isinstance(features, MeshFeatures):
        return (_print(features, options, offer),)
    if kind == PartKind.PROFILE and isinstance(features, ProfileFeatures):
        return _sheet(features, options, offer)
    if kind == PartKind.SOLID and isinstance(features, SolidFeatures):
        return (_mill(features, options, offer),)
    raise ValueError(f"{type(features).__name__} are not the features of a {kind} part.")


def _rate(offer: Offer, process: str, material: str, thickness_mm: float = 0.0) -> Rate:
    rate = offer.rate_for(process, material, thickness_mm)
    if rate is None:
        raise RateMissing(
            f"No rate for {process} in {material}" + (f" {thickness_mm:g} mm" if thickness_mm else "")
        )
    return rate


def _money(minor: float, currency: str) -> float:
    """A computed amount in minor units as the major-unit figure operations carry (rounded to 4 places)."""
    return round(float(from_minor(1, currency)) * minor, 4)


def _operation(
    key: str,
    name: str,
    rate: Rate,
    material: str,
    size: tuple[float, float, float],
    minutes: float,
    material_minor: float,
    currency: str,
    predecessors: tuple[str, ...] = (),
) -> Operation:
    material_cost = _money(material_minor, currency)
    return Operation(
        step_key=key,
        name=name,
        process=rate.process,
        material=material,
        dimensions_mm=tuple(round(side, 1) for side in size),  # type: ignore[arg-type]
        quantity=1,
        duration_minutes=round(max(minutes, 0.01), 2),
        cost_drivers={"material": material_cost} if material_cost else {},
        predecessors=predecessors,
        material_cost=material_cost,
    )


def printed_volume_mm3(features: MeshFeatures, rate: Rate, infill_percent: int) -> float:
    """What the printer deposits: the shell (surface × the rate's wall) plus the infill share of the inside."""
    volume = max(features.volume_mm3, 0.0)
    if not rate.infill_percents or infill_percent >= 100:
        return volume
    shell = min(volume, features.area_mm2 * rate.min_wall_mm)
    return shell + (volume - shell) * infill_percent / 100


def _print(features: MeshFeatures, options: Mapping, offer: Offer) -> Operation:
    material = str(options[MATERIAL])
    rate = _rate(offer, str(options[PROCESS]), material)
    printed_cm3 = printed_volume_mm3(features, rate, int(options.get(INFILL) or 100)) / MM3_PER_CM3
    height = features.size_mm[2]
    minutes = rate.setup_minutes + 60 * (
        printed_cm3 / rate.deposition_cm3_per_hour + height / rate.build_mm_per_hour
    )
    minutes += _finish_minutes(rate, str(options.get(FINISH) or ""), features.area_mm2)
    grams = printed_cm3 * rate.density_g_per_cm3
    return _operation(
        "print",
        f"Print ({rate.process_name}, {_label(material)})",
        rate,
        material,
        features.size_mm,
        minutes,
        grams / 1000 * rate.material_minor_per_kg,
        offer.currency,
    )


def _finish_minutes(rate: Rate, finish: str, area_mm2: float) -> float:
    per_dm2 = rate.finish_minutes_per_dm2(finish) if finish else None
    return (per_dm2 or 0.0) * area_mm2 / MM2_PER_DM2


def _sheet(features: ProfileFeatures, options: Mapping, offer: Offer) -> tuple[Operation, ...]:
    material = str(options[MATERIAL])
    thickness = float(options[THICKNESS])  # type: ignore[arg-type]
    rate = _rate(offer, str(options[PROCESS]), material, thickness)
    size = (features.size_mm[0], features.size_mm[1], thickness)
    cut_minutes = (
        rate.setup_minutes
        + features.cut_length_mm / rate.cut_mm_per_minute
        + features.pierces * rate.pierce_seconds / 60
    )
    sheet_m2 = features.size_mm[0] * features.size_mm[1] / MM2_PER_M2
    operations = [
        _operation(
            "cut",
            f"Cut ({rate.process_name}, {_label(material)} {thickness:g} mm)",
            rate,
            material,
            size,
            cut_minutes,
            sheet_m2 * rate.material_minor_per_m2,
            offer.currency,
        )
    ]
    extras = sheet_extras(offer, material, thickness)
    if options.get(BENDING):
        if extras.bending is None:
            raise RateMissing(f"No bending rate for {material} {thickness:g} mm")
        bend = extras.bending
        minutes = bend.setup_minutes + max(features.bend_lines, 1) * bend.minutes_per_bend
        operations.append(
            _operation(
                "bend",
                f"Bend ({features.bend_lines} bends)",
                bend,
                material,
                size,
                minutes,
                0,
                offer.currency,
                (operations[-1].step_key,),
            )
        )
    if options.get(COATING):
        if extras.coating is None:
            raise RateMissing(f"No coating rate for {material}")
        coat = extras.coating
        both_faces_m2 = 2 * features.net_area_mm2 / MM2_PER_M2
        operations.append(
            _operation(
                "coat",
                "Powder coat",
                coat,
                material,
                size,
                coat.setup_minutes + both_faces_m2 * coat.minutes_per_m2,
                both_faces_m2 * coat.material_minor_per_m2,
                offer.currency,
                (operations[-1].step_key,),
            )
        )
    return tuple(operations)


def _mill(features: SolidFeatures, options: Mapping, offer: Offer) -> Operation:
    material = str(options[MATERIAL])
    rate = _rate(offer, str(options[PROCESS]), material)
    factor = rate.tolerance_factor(str(options[TOLERANCE]))
    if factor is None:
        raise RateMissing(f"No {options[TOLERANCE]} tolerance for {rate.process} in {material}")
    removal_cm3 = max(features.removal_volume_mm3, 0.0) / MM3_PER_CM3
    minutes = rate.setup_minutes + 60 * removal_cm3 / rate.removal_cm3_per_hour * factor
    minutes += _finish_minutes(rate, str(options.get(FINISH) or ""), features.area_mm2)
    stock_kg = features.stock_volume_mm3 / MM3_PER_CM3 * rate.density_g_per_cm3 / 1000
    return _operation(
        "mill",
        f"Machine ({rate.process_name}, {_label(material)})",
        rate,
        material,
        features.size_mm,
        minutes,
        stock_kg * rate.material_minor_per_kg,
        offer.currency,
    )
