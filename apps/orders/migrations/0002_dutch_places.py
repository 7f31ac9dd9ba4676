from django.db import migrations


def seed_places(apps, schema_editor):
    from apps.orders.places import places_ensure

    places_ensure(apps.get_model("orders", "Place"))


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial")]

    operations = [migrations.RunPython(seed_places, migrations.RunPython.noop)]
