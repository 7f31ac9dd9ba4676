from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"

    def ready(self):
        post_migrate.connect(role_permissions_after_migrate, sender=self, dispatch_uid="role_permissions")


def role_permissions_after_migrate(sender, using, verbosity=1, **kwargs):
    """Keeps every schema's role groups in step with the role table (apps.accounts.access) after each migrate.

    Django creates permission rows per app after migrating, and this app comes before most: they are made for
    every app first (idempotent), so the table can name any model's permissions."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    from apps.accounts.services import role_permissions_apply

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    role_permissions_apply()
