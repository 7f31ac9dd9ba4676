from django.apps import AppConfig


class SuppliersConfig(AppConfig):
    name = "apps.suppliers"
    label = "suppliers"

    def ready(self):
        from apps.core.media import media_folder_register
        from apps.suppliers.access import certificate_file_readable
        from apps.suppliers.uploads import CERTIFICATE_FOLDER

        media_folder_register(CERTIFICATE_FOLDER, certificate_file_readable)
