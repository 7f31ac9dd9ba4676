from django.apps import AppConfig


class PayoutsConfig(AppConfig):
    name = "apps.payouts"
    label = "payouts"

    def ready(self):
        # Registers the webhook handlers and the money listeners on orders' hooks in every process.
        from apps.payouts import webhook_handlers  # noqa: F401
