from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "apps.catalog"
    label = "catalog"

    def ready(self):
        from apps.core.media import media_folder_register

        # Product pictures: the storefront shows them to every visitor.
        media_folder_register("catalog", None)
