from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_hash_plain_text_tokens"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="email_confirmation_pending",
            field=models.BooleanField(default=False),
        ),
    ]
