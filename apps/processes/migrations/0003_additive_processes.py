"""Adds powder-bed printing (SLS, MJF) to the standard taxonomy (a frozen copy of apps/processes/standard.py's
rows): every network and the template schema get them; an existing row with the code is left as staff edited it."""

from django.db import migrations

POWDERS = ["pa12", "pa11", "tpu"]
ADDED = [
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
]


def add_processes(apps, schema_editor):
    Process = apps.get_model("processes", "Process")
    for code, name, description, materials, (length, width, height) in ADDED:
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
    dependencies = [("processes", "0002_process_rates")]

    operations = [migrations.RunPython(add_processes, migrations.RunPython.noop)]
