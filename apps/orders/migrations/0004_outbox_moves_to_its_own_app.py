"""OutboxMessage moves to apps.outbox (it carries tasks and e-mails for every app, not only orders'). The table
stays; apps/outbox/migrations/0001 takes the model over and renames the table."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("orders", "0003_job_problem")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="OutboxMessage")], database_operations=[]
        )
    ]
