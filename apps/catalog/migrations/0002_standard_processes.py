"""Seeds the standard capability taxonomy (a frozen copy: later edits to apps.catalog.processes do not change
history). Runs in the template schema, so every network cloned from it starts with these processes."""

from django.db import migrations

WOODS = ["oak", "walnut", "ash", "birch_plywood", "mdf"]
SHEET_METALS = ["steel", "stainless_steel", "aluminium"]
FDM_PLASTICS = ["pla", "petg", "abs", "asa"]
RESINS = ["standard_resin", "tough_resin"]

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


def seed(apps, schema_editor):
    Process = apps.get_model("catalog", "Process")
    for code, name, description, materials, (length, width, height) in STANDARD_PROCESSES:
        Process.objects.get_or_create(
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


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
