"""The demo network's process rates: what uploaded parts are priced and timed from (apps/uploads/operations.py).

Figures are the kind a job shop quotes with (reference speeds of a mid-range machine; each demo resource's
speed factor then makes it faster or slower). Money in euro cents:
- FDM deposits ~10–12 cm³/h of PLA/PETG (a 0.4 mm nozzle at 0.2 mm layers); filament €25–60/kg. SLA cures a
  whole layer at once, so height dominates (~20–30 mm/h); resin ~€150–200/kg. SLS and MJF build a whole bed:
  a part's share of the bed time is small per cm³; PA12 powder ~€70–80/kg.
- Fibre laser cut speeds for mild steel fall from ~8 m/min at 1 mm to ~1 m/min at 10 mm, pierces from half a
  second to several; sheet price is area × thickness × density × €/kg (steel ~€1.2/kg, stainless ~€4.5/kg,
  aluminium ~€4/kg). A CO2 flatbed cuts plywood, MDF and acrylic.
- Press brake: a minute and a half per bend. Powder coating: ~12 min per m² (hang, spray, cure in batches).
- CNC milling removes ~60 cm³/h of aluminium, ~25 of steel, ~15 of stainless; tighter tolerance classes cost
  more passes (factor); oak is routed fast.

Idempotent: a rate is found by (process, material, thickness) and only created when missing, so staff edits in the
demo admin stay.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from apps.processes.models import Process, ProcessRate, RateKind

FDM_COLOURS = ["black", "white", "grey", "red", "blue"]
FDM_FINISHES = {"as_printed": 0, "sanded": 3}
SLA_FINISHES = {"as_printed": 0, "polished": 6}
POWDER_FINISHES = {"as_printed": 0, "bead_blasted": 2, "dyed_black": 3}
METAL_TOLERANCES = {"coarse": 0.8, "medium": 1.0, "fine": 1.5, "precision": 2.5}
COATING_COLOURS = [
    "RAL 9005 jet black",
    "RAL 9016 traffic white",
    "RAL 7016 anthracite",
    "RAL 3020 traffic red",
]

# (process, material, fields) — printing
PRINTING = [
    (
        "fdm_printing",
        "pla",
        {
            "deposition_cm3_per_hour": 12,
            "build_mm_per_hour": 60,
            "density_g_per_cm3": "1.24",
            "material_minor_per_kg": 2500,
            "min_wall_mm": "0.8",
            "setup_minutes": 10,
            "infill_percents": [15, 20, 50, 100],
            "colours": FDM_COLOURS,
            "finish_minutes": FDM_FINISHES,
        },
    ),
    (
        "fdm_printing",
        "petg",
        {
            "deposition_cm3_per_hour": 10,
            "build_mm_per_hour": 60,
            "density_g_per_cm3": "1.27",
            "material_minor_per_kg": 3000,
            "min_wall_mm": "0.8",
            "setup_minutes": 10,
            "infill_percents": [15, 20, 50, 100],
            "colours": ["black", "white", "clear"],
            "finish_minutes": FDM_FINISHES,
        },
    ),
    (
        "fdm_printing",
        "asa",
        {
            "deposition_cm3_per_hour": 10,
            "build_mm_per_hour": 55,
            "density_g_per_cm3": "1.07",
            "material_minor_per_kg": 3800,
            "min_wall_mm": "1.0",
            "setup_minutes": 10,
            "infill_percents": [20, 50, 100],
            "colours": ["black", "white"],
            "finish_minutes": FDM_FINISHES,
        },
    ),
    (
        "fdm_printing",
        "nylon",
        {
            "deposition_cm3_per_hour": 8,
            "build_mm_per_hour": 50,
            "density_g_per_cm3": "1.14",
            "material_minor_per_kg": 6000,
            "min_wall_mm": "1.0",
            "setup_minutes": 12,
            "infill_percents": [20, 50, 100],
            "colours": ["natural"],
            "finish_minutes": FDM_FINISHES,
        },
    ),
    (
        "sla_printing",
        "standard resin",
        {
            "deposition_cm3_per_hour": 60,
            "build_mm_per_hour": 25,
            "density_g_per_cm3": "1.10",
            "material_minor_per_kg": 15000,
            "min_wall_mm": "0.5",
            "setup_minutes": 15,
            "colours": ["grey", "clear", "black"],
            "finish_minutes": SLA_FINISHES,
        },
    ),
    (
        "sla_printing",
        "tough resin",
        {
            "deposition_cm3_per_hour": 50,
            "build_mm_per_hour": 22,
            "density_g_per_cm3": "1.15",
            "material_minor_per_kg": 20000,
            "min_wall_mm": "0.6",
            "setup_minutes": 15,
            "colours": ["grey"],
            "finish_minutes": SLA_FINISHES,
        },
    ),
    (
        "sls_printing",
        "pa12",
        {
            "deposition_cm3_per_hour": 100,
            "build_mm_per_hour": 60,
            "density_g_per_cm3": "0.95",
            "material_minor_per_kg": 8000,
            "min_wall_mm": "0.8",
            "setup_minutes": 20,
            "colours": ["natural white"],
            "finish_minutes": POWDER_FINISHES,
        },
    ),
    (
        "sls_printing",
        "pa11",
        {
            "deposition_cm3_per_hour": 90,
            "build_mm_per_hour": 60,
            "density_g_per_cm3": "1.02",
            "material_minor_per_kg": 9000,
            "min_wall_mm": "0.8",
            "setup_minutes": 20,
            "colours": ["natural white"],
            "finish_minutes": POWDER_FINISHES,
        },
    ),
    (
        "mjf_printing",
        "pa12",
        {
            "deposition_cm3_per_hour": 150,
            "build_mm_per_hour": 80,
            "density_g_per_cm3": "1.01",
            "material_minor_per_kg": 7000,
            "min_wall_mm": "0.6",
            "setup_minutes": 20,
            "colours": ["grey"],
            "finish_minutes": POWDER_FINISHES,
        },
    ),
    (
        "mjf_printing",
        "tpu",
        {
            "deposition_cm3_per_hour": 120,
            "build_mm_per_hour": 80,
            "density_g_per_cm3": "1.20",
            "material_minor_per_kg": 12000,
            "min_wall_mm": "1.0",
            "setup_minutes": 20,
            "colours": ["grey"],
            "finish_minutes": {"as_printed": 0},
        },
    ),
]

# (material, thickness mm, cut mm/min, pierce s, sheet cents per m²)
METAL_SHEETS = [
    ("steel", 1, 8000, "0.5", 940),
    ("steel", 2, 5000, "1.0", 1900),
    ("steel", 3, 3500, "1.5", 2800),
    ("steel", 5, 2200, "3.0", 4700),
    ("steel", 8, 1400, "5.0", 7500),
    ("steel", 10, 1000, "7.0", 9400),
    ("stainless steel", 1, 7000, "0.6", 3600),
    ("stainless steel", 2, 4000, "1.2", 7200),
    ("stainless steel", 3, 2500, "2.0", 10800),
    ("stainless steel", 5, 1300, "4.0", 18000),
    ("aluminium", 1, 9000, "0.4", 1100),
    ("aluminium", 2, 6000, "0.8", 2200),
    ("aluminium", 3, 4000, "1.2", 3300),
    ("aluminium", 5, 2000, "2.5", 5400),
    ("birch plywood", 3, 1500, "0.3", 900),
    ("birch plywood", 6, 800, "0.5", 1500),
    ("mdf", 3, 1800, "0.3", 500),
    ("mdf", 6, 900, "0.5", 800),
    ("acrylic", 3, 1200, "0.4", 2500),
    ("acrylic", 5, 700, "0.6", 4000),
]

# (material, removal cm³/h, density, cents per kg, tolerance factors, finishes)
MACHINING = [
    (
        "aluminium",
        60,
        "2.70",
        900,
        METAL_TOLERANCES,
        {"as_machined": 0, "bead_blasted": "1.5", "anodised": 4},
    ),
    ("steel", 25, "7.85", 250, METAL_TOLERANCES, {"as_machined": 0, "bead_blasted": "1.5"}),
    ("stainless steel", 15, "7.90", 600, METAL_TOLERANCES, {"as_machined": 0, "bead_blasted": "1.5"}),
    ("oak", 400, "0.75", 330, {"coarse": 0.8, "medium": 1.0}, {"as_machined": 0, "oiled": 2}),
]


def _ensure(process: Process, kind: str, material: str, thickness: Decimal, fields: dict) -> bool:
    if ProcessRate.objects.filter(process=process, material=material, thickness_mm=thickness).exists():
        return False
    rate = ProcessRate(process=process, kind=kind, material=material, thickness_mm=thickness, **fields)
    for name in ("tolerance_factors", "finish_minutes"):
        value = getattr(rate, name)
        setattr(rate, name, {k: float(v) for k, v in value.items()})
    rate.full_clean()
    rate.save()
    return True


@transaction.atomic
def rates_demo_seed() -> int:
    """Creates the demo rates that are missing; returns how many were created."""
    processes = {p.code: p for p in Process.objects.all()}
    created = 0
    for code, material, fields in PRINTING:
        created += _ensure(processes[code], RateKind.PRINTING, material, Decimal(0), dict(fields))
    for material, thickness, speed, pierce, per_m2 in METAL_SHEETS:
        fields = {
            "cut_mm_per_minute": speed,
            "pierce_seconds": Decimal(pierce),
            "material_minor_per_m2": per_m2,
            "setup_minutes": 2,
            "min_wall_mm": Decimal(thickness),
        }
        created += _ensure(processes["laser_cutting"], RateKind.CUTTING, material, Decimal(thickness), fields)
    created += _ensure(
        processes["sheet_bending"],
        RateKind.BENDING,
        "",
        Decimal(0),
        {"minutes_per_bend": "1.5", "setup_minutes": 10},
    )
    created += _ensure(
        processes["powder_coating"],
        RateKind.COATING,
        "",
        Decimal(0),
        {"minutes_per_m2": 12, "setup_minutes": 10, "material_minor_per_m2": 400, "colours": COATING_COLOURS},
    )
    for material, removal, density, per_kg, tolerances, finishes in MACHINING:
        fields = {
            "removal_cm3_per_hour": removal,
            "density_g_per_cm3": Decimal(density),
            "material_minor_per_kg": per_kg,
            "tolerance_factors": tolerances,
            "finish_minutes": finishes,
            "setup_minutes": 30,
            "min_wall_mm": Decimal("0.8"),
        }
        created += _ensure(processes["cnc_milling"], RateKind.MACHINING, material, Decimal(0), fields)
    return created
