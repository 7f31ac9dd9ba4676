"""The process taxonomy moves from the catalog to its own app: state only, the table catalog_process stays."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("catalog", "0004_routing_step_material_drivers")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Process",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "code",
                            models.SlugField(
                                help_text="Stable key used by suppliers and matching.", max_length=40, unique=True
                            ),
                        ),
                        ("name", models.CharField(max_length=100)),
                        ("description", models.TextField(blank=True)),
                        (
                            "materials",
                            models.JSONField(
                                blank=True,
                                default=list,
                                help_text='Materials it works, e.g. ["oak", "steel"]. Empty means any material.',
                            ),
                        ),
                        (
                            "max_length_mm",
                            models.PositiveIntegerField(
                                default=0, help_text="Largest part: longest side (0 = no limit)."
                            ),
                        ),
                        ("max_width_mm", models.PositiveIntegerField(default=0)),
                        ("max_height_mm", models.PositiveIntegerField(default=0)),
                        ("active", models.BooleanField(default=True)),
                    ],
                    options={
                        "db_table": "catalog_process",
                        "ordering": ["name"],
                        "verbose_name_plural": "processes",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
