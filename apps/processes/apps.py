from django.apps import AppConfig


class ProcessesConfig(AppConfig):
    name = "apps.processes"
    label = "processes"
    verbose_name = "Processes"
