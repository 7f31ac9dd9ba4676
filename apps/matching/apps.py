from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "apps.matching"
    label = "matching"
    verbose_name = "Matching"

    def ready(self):
        from apps.matching.quoting.network_version import network_version_watch

        network_version_watch()
