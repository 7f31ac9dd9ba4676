"""Creates the three hidden part templates (a frozen copy of apps/catalog/part_templates.py's defaults) in every
network schema and in the template schema, so networks cloned from it have them too. Staff tune their margin,
transport buffer and price breaks in the admin; an existing row of a kind is left as it is."""

from django.db import migrations

PART_TEMPLATES = [
    ("mesh", "part-mesh", "Your 3D-printed part", "Uploaded parts made by 3D printing."),
    ("profile", "part-profile", "Your sheet part", "Uploaded profiles cut from sheet, optionally bent and coated."),
    ("solid", "part-solid", "Your machined part", "Uploaded solids machined from stock."),
]


def create_part_templates(apps, schema_editor):
    ProductTemplate = apps.get_model("catalog", "ProductTemplate")
    for kind, slug, name, description in PART_TEMPLATES:
        if ProductTemplate.objects.filter(part_kind=kind).exists():
            continue
        if ProductTemplate.objects.filter(slug=slug).exists():
            slug = f"{slug}-upload"
        ProductTemplate.objects.create(
            part_kind=kind,
            slug=slug,
            name=name,
            category="Uploaded parts",
            description=description,
            margin_percent=25,
            transport_buffer_days=2,
            price_break_quantities=[1, 5, 10, 25, 100],
        )


class Migration(migrations.Migration):
    dependencies = [("catalog", "0007_template_part_kind")]

    operations = [migrations.RunPython(create_part_templates, migrations.RunPython.noop)]
