"""Time zones become validated choices; a network whose stored zone is no zone (it made every page a 500) is
set to UTC, the one zone that is right for nobody in particular and wrong by a known amount for everyone."""

from django.db import migrations, models

import apps.core.timezones


def unknown_time_zones_to_utc(apps_registry, schema_editor):
    Tenant = apps_registry.get_model("tenants", "Tenant")
    known = apps.core.timezones.time_zone_names()
    Tenant.objects.exclude(time_zone__in=known).update(time_zone="UTC")


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="tenant",
            name="time_zone",
            field=models.CharField(
                default="Europe/Amsterdam", max_length=64, validators=[apps.core.timezones.validate_time_zone]
            ),
        ),
        migrations.RunPython(unknown_time_zones_to_utc, migrations.RunPython.noop),
    ]
