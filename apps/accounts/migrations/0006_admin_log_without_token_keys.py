"""The network admin's "Recent actions" (django_admin_log) shows each entry's `object_repr`, the object's name as
it was when staff acted on it. Entries about DRF's former plain-text tokens (content type authtoken.token, whose
name and primary key were the key itself) and about ApiTokens named with their key's prefix still showed keys:
both are rewritten to the token's name and row, without any part of a key. Runs per schema."""

import re

from django.db import migrations

SCRUBBED = "API token (migrated; key removed)"
_PREFIX_SUFFIX = re.compile(r" \([0-9a-f]{10}…\)$")


def scrub_token_keys(apps, schema_editor):
    LogEntry = apps.get_model("admin", "LogEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    ApiToken = apps.get_model("accounts", "ApiToken")
    legacy = ContentType.objects.filter(app_label="authtoken", model="token").first()
    if legacy is not None:
        LogEntry.objects.filter(content_type=legacy).update(object_repr=SCRUBBED, object_id=None)
    current = ContentType.objects.filter(app_label="accounts", model="apitoken").first()
    if current is None:
        return
    for entry in LogEntry.objects.filter(content_type=current).only("pk", "object_id", "object_repr"):
        known = (entry.object_id or "").isdigit()
        token = ApiToken.objects.filter(pk=entry.object_id).only("name").first() if known else None
        name = token.name if token is not None else _PREFIX_SUFFIX.sub("", entry.object_repr)
        LogEntry.objects.filter(pk=entry.pk).update(object_repr=f"{name} (token #{entry.object_id})"[:200])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_user_email_confirmation_pending"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(scrub_token_keys, migrations.RunPython.noop)]
