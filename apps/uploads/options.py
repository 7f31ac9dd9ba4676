"""The options a customer may choose for an uploaded part, from what the network offers right now.

An option is offered when a process rate prices it AND a machine that is up at an eligible workshop can do it:
- mesh (3D printing): process, material, colour, infill (where the rate lists infills), finish;
- profile (sheet cutting): process, material, thickness, then bending (when the part has bend lines) and powder
  coating (with its colour) where the network prices and does them for that sheet;
- solid (machining): process, material, tolerance class (machines that hold it), finish.

`part_choices` describes them as JSON for the API and the pages, `part_options_clean` checks submitted options
(ValidationError keyed by field) and `part_options_default` gives a sensible first choice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from apps.processes.models import TOLERANCE_CLASS_MM, RateKind, ToleranceClass
from apps.uploads.analysis.result import Features, PartKind, ProfileFeatures
from apps.uploads.offer import Offer, Rate, material_key

PROCESS = "process"
MATERIAL = "material"
COLOUR = "colour"
INFILL = "infill_percent"
FINISH = "finish"
THICKNESS = "thickness_mm"
BENDING = "bending"
COATING = "powder_coating"
COATING_COLOUR = "coating_colour"
TOLERANCE = "tolerance"

FIELDS: dict[PartKind, tuple[str, ...]] = {
    PartKind.MESH: (PROCESS, MATERIAL, COLOUR, INFILL, FINISH),
    PartKind.PROFILE: (PROCESS, MATERIAL, THICKNESS, BENDING, COATING, COATING_COLOUR),
    PartKind.SOLID: (PROCESS, MATERIAL, TOLERANCE, FINISH),
}
MAIN_KIND = {
    PartKind.MESH: RateKind.PRINTING,
    PartKind.PROFILE: RateKind.CUTTING,
    PartKind.SOLID: RateKind.MACHINING,
}
TOLERANCE_LABELS = dict(ToleranceClass.choices)


# Materials written as abbreviations (the others are words: "oak", "stainless steel").
ABBREVIATIONS = frozenset({"abs", "asa", "hdpe", "mdf", "pc", "petg", "pla", "pp", "tpu"})


def material_label(material: str) -> str:
    """ "pa12" → "PA12", "pla" → "PLA", "stainless steel" → "Stainless steel"."""
    if material in ABBREVIATIONS or any(c.isdigit() for c in material):
        return material.upper()
    return material[:1].upper() + material[1:]


def finish_label(finish: str) -> str:
    return finish.replace("_", " ").capitalize()


@dataclass(frozen=True)
class SheetExtras:
    """The rates of the optional steps after cutting a sheet (None: not offered for it)."""

    bending: Rate | None
    coating: Rate | None


def _main_rates(kind: PartKind, offer: Offer) -> dict[tuple[str, str], list[Rate]]:
    """(process, material) → the main-step rates the network can do (several per sheet material: thicknesses)."""
    found: dict[tuple[str, str], list[Rate]] = {}
    for rate in offer.rates_of(MAIN_KIND[kind]):
        for material in offer.materials_of(rate):
            if offer.rate_for(rate.process, material, rate.thickness_mm) is not rate:
                continue  # the material's own row wins over the any-material row
            if offer.machines_for(rate.process, material, thickness_mm=rate.thickness_mm):
                found.setdefault((rate.process, material), []).append(rate)
    return found


def sheet_extras(offer: Offer, material: str, thickness_mm: float) -> SheetExtras:
    def first(kind: str) -> Rate | None:
        for rate in sorted(offer.rates_of(kind), key=lambda r: (r.process_name, r.process)):
            own = offer.rate_for(rate.process, material, thickness_mm) or offer.rate_for(
                rate.process, material
            )
            if own is rate and offer.machines_for(rate.process, material):
                return rate
        return None

    return SheetExtras(bending=first(RateKind.BENDING), coating=first(RateKind.COATING))


def _tolerances(offer: Offer, rate: Rate, material: str) -> list[str]:
    return [
        value
        for value in ToleranceClass.values
        if rate.tolerance_factor(value) is not None
        and offer.machines_for(rate.process, material, tolerance_mm=TOLERANCE_CLASS_MM[value])
    ]


def part_choices(kind: PartKind, offer: Offer) -> dict:
    """What the customer may choose for a part of `kind`, as JSON (empty `processes`: nothing is offered)."""
    processes: dict[str, dict] = {}
    for (process, material), rates in sorted(_main_rates(kind, offer).items()):
        rate = rates[0]
        row: dict = {"value": material, "label": material_label(material)}
        if kind == PartKind.MESH:
            row |= {
                "colours": list(rate.colours),
                "infill_percents": list(rate.infill_percents),
                "finishes": [{"value": f, "label": finish_label(f)} for f, _ in rate.finish_minutes],
            }
        elif kind == PartKind.PROFILE:
            row["thicknesses"] = []
            for sheet in sorted(rates, key=lambda r: r.thickness_mm):
                extras = sheet_extras(offer, material, sheet.thickness_mm)
                row["thicknesses"].append(
                    {
                        "value": sheet.thickness_mm,
                        "bending": extras.bending is not None,
                        "powder_coating": extras.coating is not None,
                        "coating_colours": list(extras.coating.colours) if extras.coating else [],
                    }
                )
        else:
            tolerances = _tolerances(offer, rate, material)
            if not tolerances:
                continue  # no machine of it holds a tolerance class the rate prices
            row |= {
                "tolerances": [{"value": t, "label": TOLERANCE_LABELS[t]} for t in tolerances],
                "finishes": [{"value": f, "label": finish_label(f)} for f, _ in rate.finish_minutes],
            }
        entry = processes.setdefault(process, {"value": process, "label": rate.process_name, "materials": []})
        entry["materials"].append(row)
    return {"kind": str(kind), "fields": list(FIELDS[kind]), "processes": list(processes.values())}


# The options a designer may narrow for their CAD product (apps/uploads/products.py), each a list of values.
NARROWABLE = (PROCESS, MATERIAL, COLOUR, INFILL, FINISH, THICKNESS, COATING_COLOUR, TOLERANCE)


def narrowing_key(field: str, value: object) -> str:
    """A value as a narrowing compares it: materials by material_key, numbers without trailing zeros."""
    if field == MATERIAL:
        return material_key(str(value))
    if field in (INFILL, THICKNESS):
        try:
            return f"{float(str(value)):g}"
        except ValueError:
            return str(value)
    return str(value)


def part_choices_narrow(choices: dict, narrowing: Mapping[str, list] | None) -> dict:
    """`choices` (part_choices) keeping only the values `narrowing` lists for each option it names (an option it
    does not name keeps every value). A material left without a value of an option it offers is dropped, and a
    process left without materials."""
    if not narrowing:
        return choices
    allowed = {field: {narrowing_key(field, v) for v in values} for field, values in narrowing.items()}

    def keep(field: str, value: object) -> bool:
        return field not in allowed or narrowing_key(field, value) in allowed[field]

    def narrowed(field: str, values: list, key=lambda v: v) -> list | None:
        """The kept values, or None when an offered list is emptied (the material then goes)."""
        kept = [v for v in values if keep(field, key(v))]
        return kept if kept or not values else None

    processes = []
    for process in choices["processes"]:
        if not keep(PROCESS, process["value"]):
            continue
        materials = []
        for material in process["materials"]:
            if not keep(MATERIAL, material["value"]):
                continue
            row = dict(material)
            lists = [
                ("colours", COLOUR, lambda v: v),
                ("infill_percents", INFILL, lambda v: v),
                ("finishes", FINISH, lambda v: v["value"]),
                ("tolerances", TOLERANCE, lambda v: v["value"]),
            ]
            for name, field, key in lists:
                if name in row:
                    row[name] = narrowed(field, row[name], key)
            if "thicknesses" in row:
                sheets = []
                for sheet in narrowed(THICKNESS, row["thicknesses"], lambda v: v["value"]) or []:
                    colours = narrowed(COATING_COLOUR, sheet["coating_colours"])
                    # None: every colour the coater offers for this sheet was narrowed away, so no coating
                    coating = sheet["powder_coating"] and colours is not None
                    sheets.append({**sheet, "powder_coating": coating, "coating_colours": colours or []})
                row["thicknesses"] = sheets or None
            if all(value is not None for value in row.values()):
                materials.append(row)
        if materials:
            processes.append({**process, "materials": materials})
    return {**choices, "processes": processes}


def part_options_default(
    kind: PartKind, offer: Offer, features: Features | None = None, *, narrowing: Mapping | None = None
) -> dict | None:
    """A first choice: the first process and material offered, the cheapest finish, a medium tolerance where
    offered, bending when the part has bend lines and the network bends it. None when nothing is offered."""
    choices = part_choices_narrow(part_choices(kind, offer), narrowing)
    if not choices["processes"]:
        return None

    bend_lines = features.bend_lines if isinstance(features, ProfileFeatures) else 0

    def material_price(pair: tuple[dict, dict]) -> tuple:
        process, material = pair
        sheet = material["thicknesses"][0] if kind == PartKind.PROFILE else {"value": 0.0, "bending": False}
        rate = offer.rate_for(process["value"], material["value"], sheet["value"])
        price = (rate.material_minor_per_kg or rate.material_minor_per_m2) if rate else 0
        machines = offer.machines_for(process["value"], material["value"], thickness_mm=sheet["value"])
        fits = features is None or any(m.fits(_size(features, sheet["value"])) for m in machines)
        return (
            not fits,
            bool(bend_lines) and not sheet["bending"],
            price,
            process["label"],
            material["value"],
        )

    # The cheapest material to start from among those a machine of the network can take the part in (and bend,
    # for a drawing with bend lines); the customer then picks what the part needs.
    process, material = min(
        ((p, m) for p in choices["processes"] for m in p["materials"]), key=material_price
    )
    values: dict = {PROCESS: process["value"], MATERIAL: material["value"]}
    if kind == PartKind.MESH:
        values[COLOUR] = material["colours"][0] if material["colours"] else ""
        infills = material["infill_percents"]
        values[INFILL] = min(infills, key=lambda p: abs(p - 20)) if infills else 100
        values[FINISH] = material["finishes"][0]["value"] if material["finishes"] else ""
    elif kind == PartKind.PROFILE:
        sheet = material["thicknesses"][0]
        values |= {
            THICKNESS: sheet["value"],
            BENDING: bool(bend_lines and sheet["bending"]),
            COATING: False,
            COATING_COLOUR: "",
        }
    else:
        tolerances = [t["value"] for t in material["tolerances"]]
        values[TOLERANCE] = (
            str(ToleranceClass.MEDIUM) if ToleranceClass.MEDIUM in tolerances else tolerances[0]
        )
        values[FINISH] = material["finishes"][0]["value"] if material["finishes"] else ""
    return values


def _size(features: Features, thickness_mm: float) -> tuple[float, float, float]:
    size = tuple(features.size_mm)
    return (size[0], size[1], thickness_mm) if len(size) == 2 else size  # type: ignore[return-value]


def part_options_clean(
    kind: PartKind,
    raw: Mapping[str, object],
    offer: Offer,
    features: Features | None = None,
    *,
    narrowing: Mapping | None = None,
) -> dict:
    """The submitted options as stored values, or ValidationError keyed by field naming what is offered (within
    `narrowing`, a designer's choice of the options of their product: part_choices_narrow)."""
    if not isinstance(raw, Mapping):
        raise ValidationError({"options": "An object of option → value."})
    errors: dict[str, str] = {}
    unknown = [str(key)[:40] for key in raw if key not in FIELDS[kind]]
    for key in unknown[:10]:
        errors[key] = "Not an option of this part."
    choices = part_choices_narrow(part_choices(kind, offer), narrowing)
    if not choices["processes"]:
        errors[PROCESS] = "The network offers no process for this kind of part yet."
        raise ValidationError(errors)
    processes = {p["value"]: p for p in choices["processes"]}
    process = processes.get(str(raw.get(PROCESS, "")))
    if process is None:
        errors[PROCESS] = "Choose one of: " + ", ".join(p["label"] for p in choices["processes"]) + "."
        raise ValidationError(errors)
    materials = {m["value"]: m for m in process["materials"]}
    material = materials.get(material_key(str(raw.get(MATERIAL, ""))))
    if material is None:
        errors[MATERIAL] = (
            f"{process['label']} works: " + ", ".join(m["label"] for m in process["materials"]) + "."
        )
        raise ValidationError(errors)
    values: dict = {PROCESS: process["value"], MATERIAL: material["value"]}
    if kind == PartKind.MESH:
        values |= _clean_mesh(raw, material, errors)
    elif kind == PartKind.PROFILE:
        values |= _clean_profile(raw, material, features, errors)
    else:
        values |= _clean_solid(raw, material, errors)
    if errors:
        raise ValidationError(errors)
    return values


def _choose(raw: Mapping, field: str, offered: list[str], errors: dict, what: str) -> str:
    value = str(raw.get(field) or "")
    if not offered:
        return ""
    if value not in offered:
        errors[field] = f"Choose a {what}: " + ", ".join(offered) + "."
    return value


def _clean_mesh(raw: Mapping, material: dict, errors: dict) -> dict:
    colour = _choose(raw, COLOUR, material["colours"], errors, "colour")
    finish = _choose(raw, FINISH, [f["value"] for f in material["finishes"]], errors, "finish")
    infill = 100
    if material["infill_percents"]:
        try:
            infill = int(str(raw.get(INFILL, "")))
        except ValueError:
            infill = -1
        if infill not in material["infill_percents"]:
            errors[INFILL] = (
                "Choose an infill: " + ", ".join(f"{p} %" for p in material["infill_percents"]) + "."
            )
    return {COLOUR: colour, INFILL: infill, FINISH: finish}


def _flag(raw: Mapping, field: str, errors: dict) -> bool:
    value = raw.get(field, False)
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "1", "on", "yes"):
        return True
    if str(value).lower() in ("false", "0", "off", "no", ""):
        return False
    errors[field] = "Yes or no (true or false)."
    return False


def _clean_profile(raw: Mapping, material: dict, features: Features | None, errors: dict) -> dict:
    sheets = {sheet["value"]: sheet for sheet in material["thicknesses"]}
    offered = ", ".join(f"{t:g} mm" for t in sheets)
    try:
        thickness = round(float(str(raw.get(THICKNESS, ""))), 2)
    except ValueError:
        thickness = -1.0
    sheet = next((s for t, s in sheets.items() if abs(t - thickness) < 1e-6), None)
    if sheet is None:
        errors[THICKNESS] = f"{material['label']} is cut in: {offered}."
        return {}
    bending, coating = _flag(raw, BENDING, errors), _flag(raw, COATING, errors)
    bend_lines = features.bend_lines if isinstance(features, ProfileFeatures) else 0
    if bending and not sheet["bending"]:
        errors[BENDING] = f"The network does not bend {material['label'].lower()} of {thickness:g} mm."
    elif bending and not bend_lines:
        errors[BENDING] = (
            "The drawing has no bend lines: draw them on a layer named BEND, or choose no bending."
        )
    colour = ""
    if coating:
        if not sheet["powder_coating"]:
            errors[COATING] = f"The network does not powder-coat {material['label'].lower()}."
        else:
            colour = _choose(raw, COATING_COLOUR, sheet["coating_colours"], errors, "coating colour")
    return {THICKNESS: thickness, BENDING: bending, COATING: coating, COATING_COLOUR: colour}


def _clean_solid(raw: Mapping, material: dict, errors: dict) -> dict:
    tolerance = str(raw.get(TOLERANCE) or "")
    offered = [t["value"] for t in material["tolerances"]]
    if tolerance not in offered:
        labels = ", ".join(TOLERANCE_LABELS[t] for t in offered) or "none: no machine holds a tolerance class"
        errors[TOLERANCE] = f"Choose a tolerance class: {labels}."
    finish = _choose(raw, FINISH, [f["value"] for f in material["finishes"]], errors, "finish")
    return {TOLERANCE: tolerance, FINISH: finish}


OPTION_LABELS = {
    PROCESS: "Process",
    MATERIAL: "Material",
    COLOUR: "Colour",
    INFILL: "Infill",
    FINISH: "Finish",
    THICKNESS: "Sheet thickness",
    BENDING: "Bending",
    COATING: "Powder coating",
    COATING_COLOUR: "Coating colour",
    TOLERANCE: "Tolerance class",
}


def part_options_describe(
    values: Mapping[str, object], process_names: Mapping[str, str]
) -> list[tuple[str, str]]:
    """A saved part's options in words, (label, text) per option, for design pages."""
    rows = []
    for key, label in OPTION_LABELS.items():
        if key not in values or values[key] in ("", None):
            continue
        value = values[key]
        if key == PROCESS:
            text = process_names.get(str(value), str(value))
        elif key == MATERIAL:
            text = material_label(str(value))
        elif key == INFILL:
            text = f"{value} %"
        elif key == THICKNESS:
            text = f"{value:g} mm" if isinstance(value, int | float) else str(value)
        elif key in (BENDING, COATING):
            text = "Yes" if value else "No"
        elif key == TOLERANCE:
            text = TOLERANCE_LABELS.get(str(value), str(value))
        elif key == FINISH:
            text = finish_label(str(value))
        else:
            text = str(value)
        rows.append((label, text))
    return rows
