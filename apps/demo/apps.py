from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Seeds the demo network. It sits above every other app: it may call any service, none may call it."""

    name = "apps.demo"
    label = "demo"
