from django.apps import AppConfig


class UploadsConfig(AppConfig):
    name = "apps.uploads"
    label = "uploads"
    verbose_name = "Uploaded designs"

    def ready(self):
        from apps.catalog.fixed_parts import fixed_part_check_register
        from apps.core.media import media_folder_register
        from apps.uploads.access import part_file_readable
        from apps.uploads.products import cad_product_issues
        from apps.uploads.storage import UPLOAD_FOLDER

        media_folder_register(UPLOAD_FOLDER, part_file_readable)
        fixed_part_check_register(cad_product_issues)
