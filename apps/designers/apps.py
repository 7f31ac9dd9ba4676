from django.apps import AppConfig


class DesignersConfig(AppConfig):
    name = "apps.designers"
    label = "designers"
