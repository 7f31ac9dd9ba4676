from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "apps.matching"
    label = "matching"
    verbose_name = "Matching"
