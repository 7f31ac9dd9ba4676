"""Routing steps point at processes.Process; catalog.Process leaves the state (its table is now that model's)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_routing_step_material_drivers"),
        ("processes", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="routingstep",
                    name="process",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="steps", to="processes.process"
                    ),
                ),
                migrations.DeleteModel(name="Process"),
            ],
            database_operations=[],
        ),
    ]
