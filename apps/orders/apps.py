from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "apps.orders"
    label = "orders"
    verbose_name = "Orders"

    def ready(self):
        from apps.core.media import media_folder_register
        from apps.orders.access import proof_photo_readable, quality_photo_readable
        from apps.orders.uploads import PROOF_PHOTO_FOLDER, QUALITY_PHOTO_FOLDER

        media_folder_register(QUALITY_PHOTO_FOLDER, quality_photo_readable)
        media_folder_register(PROOF_PHOTO_FOLDER, proof_photo_readable)
