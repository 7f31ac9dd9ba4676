"""The process codes a resource can declare.

Suppliers and catalog are independent layers (neither imports the other), so a resource names its process by
code rather than by a foreign key to catalog.Process. The catalog seeds a Process row for each of these codes;
the matching engine joins the two by code.
"""

from django.db import models


class ProcessCode(models.TextChoices):
    CNC_MILLING = "cnc_milling", "CNC milling"
    LASER_CUTTING = "laser_cutting", "Laser cutting"
    FDM_PRINTING = "fdm_printing", "FDM 3D printing"
    SLA_PRINTING = "sla_printing", "SLA 3D printing"
    SHEET_BENDING = "sheet_bending", "Sheet bending"
    WELDING = "welding", "Welding"
    POWDER_COATING = "powder_coating", "Powder coating"
    PAINTING = "painting", "Painting"
    UPHOLSTERY = "upholstery", "Upholstery"
    SEWING = "sewing", "Sewing"
    ASSEMBLY = "assembly", "Assembly"
    QUALITY_INSPECTION = "quality_inspection", "Quality inspection"
    PACKAGING = "packaging", "Packaging"


PROCESS_CODES: tuple[str, ...] = tuple(ProcessCode.values)
