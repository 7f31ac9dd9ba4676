"""The standard capability taxonomy every network starts with (staff may edit it and add to it in the admin).

Catalog migration 0002 (and processes 0003 for SLS and MJF) seeded frozen copies of this list into the template
schema, so every cloned network has it; `processes_ensure` restores missing entries (demo seed) without touching edited ones.
"""

from apps.processes.models import Process

WOODS = ["oak", "walnut", "ash", "birch_plywood", "mdf"]
SHEET_METALS = ["steel", "stainless_steel", "aluminium"]
FDM_PLASTICS = ["pla", "petg", "abs", "asa"]
RESINS = ["standard_resin", "tough_resin"]
POWDERS = ["pa12", "pa11", "tpu"]

# code, name, description, materials (empty = any), max part size (length, width, height) in mm
STANDARD_PROCESSES: list[tuple[str, str, str, list[str], tuple[int, int, int]]] = [
    (
        "cnc_milling",
        "CNC milling",
        "3-axis router or mill: solid wood, panels, aluminium, plastics.",
        [*WOODS, "aluminium", "hdpe", "acrylic"],
        (3000, 1500, 150),
    ),
    (
        "laser_cutting",
        "Laser cutting",
        "Fibre or CO2 laser: sheet metal, plywood, MDF, acrylic; also engraving.",
        [*SHEET_METALS, "birch_plywood", "mdf", "acrylic", "oak", "walnut", "ash"],
        (3000, 1500, 50),
    ),
    (
        "fdm_printing",
        "FDM 3D printing",
        "Fused-deposition printers for functional plastic parts.",
        FDM_PLASTICS,
        (300, 300, 300),
    ),
    (
        "sla_printing",
        "SLA 3D printing",
        "Resin printers for smooth, detailed parts.",
        RESINS,
        (185, 145, 145),
    ),
    (
        "sls_printing",
        "SLS 3D printing",
        "Selective laser sintering of nylon powder: strong parts without supports.",
        POWDERS,
        (340, 340, 600),
    ),
    (
        "mjf_printing",
        "MJF 3D printing",
        "HP Multi Jet Fusion of nylon powder: fine detail, short lead times.",
        POWDERS,
        (380, 284, 380),
    ),
    (
        "sheet_bending",
        "Sheet bending",
        "Press brake bending of sheet metal.",
        SHEET_METALS,
        (3000, 1500, 300),
    ),
    (
        "welding",
        "Welding",
        "MIG/TIG welding of steel, stainless steel and aluminium frames.",
        SHEET_METALS,
        (3000, 2000, 1500),
    ),
    (
        "powder_coating",
        "Powder coating",
        "Electrostatic powder and oven cure for metal parts.",
        SHEET_METALS,
        (3000, 1500, 1500),
    ),
    (
        "painting",
        "Painting",
        "Spray painting and lacquering of wood, metal and plastic parts.",
        [],
        (3000, 1500, 2500),
    ),
    (
        "upholstery",
        "Upholstery",
        "Foam, fabric and leather on frames and panels.",
        ["fabric", "leather", "foam"],
        (2500, 1200, 1200),
    ),
    (
        "sewing",
        "Sewing",
        "Cut-and-sew of fabric and leather covers.",
        ["fabric", "leather"],
        (3000, 1500, 50),
    ),
    ("assembly", "Assembly", "Joining, hardware fitting and final assembly.", [], (3000, 2000, 2500)),
    (
        "quality_inspection",
        "Quality inspection",
        "Dimensional and visual inspection with a report.",
        [],
        (3000, 2000, 2500),
    ),
    ("packaging", "Packaging", "Protective packing for shipping.", [], (3000, 2000, 2500)),
]


STANDARD_PROCESS_CODES: tuple[str, ...] = tuple(code for code, *_ in STANDARD_PROCESSES)


def processes_ensure() -> int:
    """Creates the standard processes that are missing (by code); returns how many were created."""
    created = 0
    for code, name, description, materials, (length, width, height) in STANDARD_PROCESSES:
        _, was_created = Process.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "description": description,
                "materials": materials,
                "max_length_mm": length,
                "max_width_mm": width,
                "max_height_mm": height,
            },
        )
        created += was_created
    return created
