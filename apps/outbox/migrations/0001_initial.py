"""Takes OutboxMessage over from orders (orders/0004 drops it from orders' state, keeping the table) and renames
the table to this app's name. On a new database orders/0001 creates the table first."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("orders", "0004_outbox_moves_to_its_own_app")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="OutboxMessage",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("task_name", models.CharField(max_length=200)),
                        ("kwargs", models.JSONField(default=dict)),
                        ("dedup_key", models.CharField(max_length=255, unique=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        ("attempts", models.PositiveIntegerField(default=0)),
                        ("last_error", models.CharField(blank=True, max_length=500)),
                        ("celery_task_id", models.CharField(blank=True, max_length=255)),
                    ],
                    options={
                        "ordering": ["created_at", "id"],
                        "indexes": [
                            models.Index(
                                condition=models.Q(("sent_at__isnull", True)),
                                fields=["created_at"],
                                name="outbox_unsent_idx",
                            )
                        ],
                    },
                )
            ],
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE orders_outboxmessage RENAME TO outbox_outboxmessage",
                    "ALTER TABLE outbox_outboxmessage RENAME TO orders_outboxmessage",
                )
            ],
        )
    ]
