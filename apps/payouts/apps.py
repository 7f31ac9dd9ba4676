from django.apps import AppConfig


class PayoutsConfig(AppConfig):
    name = "apps.payouts"
    label = "payouts"

    def ready(self):
        # In every process: register the webhook handlers, and subscribe the money side to orders' hooks.
        from apps.payouts import order_listeners
        from apps.payouts.webhooks import handlers  # noqa: F401 - importing registers every handler

        order_listeners.subscribe_all()
