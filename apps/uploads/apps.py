from django.apps import AppConfig


class UploadsConfig(AppConfig):
    name = "apps.uploads"
    label = "uploads"
    verbose_name = "Uploaded designs"

    def ready(self):
        from apps.catalog.fixed_parts import (
            FixedPartOptions,
            fixed_part_check_register,
            fixed_part_options_register,
        )
        from apps.core.media import media_folder_register
        from apps.uploads.access import part_file_readable
        from apps.uploads.products import (
            cad_product_configuration,
            cad_product_default_options,
            cad_product_design_save_values,
            cad_product_issues,
            cad_product_options_schema,
        )
        from apps.uploads.storage import UPLOAD_FOLDER

        media_folder_register(UPLOAD_FOLDER, part_file_readable)
        fixed_part_check_register(cad_product_issues)
        fixed_part_options_register(
            FixedPartOptions(
                schema=cad_product_options_schema,
                defaults=cad_product_default_options,
                configuration=cad_product_configuration,
                design_save=cad_product_design_save_values,
            )
        )
