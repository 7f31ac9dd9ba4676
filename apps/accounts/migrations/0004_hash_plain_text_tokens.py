"""Moves the former plain-text API tokens (rest_framework.authtoken, no longer installed) into ApiToken, hashed,
and drops their table, so no secret stays readable in the database.

The clients holding those keys keep working unchanged (apps/accounts/tokens.py accepts the 40-hex keys): they are
machines that staff set up by hand, and breaking them silently on deploy would be worse than keeping them. Their
users now see them on their account page, named as migrated, with their last use, and can revoke them.
Runs per schema; a schema that never had the table (the public one, every network created from now on) skips it.
"""

import hashlib

from django.db import migrations

LEGACY_TABLE = "authtoken_token"


def hash_plain_text_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if LEGACY_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("accounts", "ApiToken")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, user_id, created FROM {LEGACY_TABLE}")  # noqa: S608 - a constant
        rows = cursor.fetchall()
    for key, user_id, created in rows:
        token = ApiToken.objects.create(
            user_id=user_id,
            name="API token issued by staff (migrated)",
            prefix=key[:10],
            secret_hash=hashlib.sha256(key.encode()).hexdigest(),
        )
        ApiToken.objects.filter(pk=token.pk).update(created_at=created)  # auto_now_add ignores a given value
    schema_editor.execute(f"DROP TABLE {LEGACY_TABLE}")
    schema_editor.execute("DELETE FROM django_migrations WHERE app = 'authtoken'")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_api_token")]

    # Irreversible on purpose: the plain-text keys are gone.
    operations = [migrations.RunPython(hash_plain_text_tokens, migrations.RunPython.noop)]
