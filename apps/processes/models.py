"""The process taxonomy: the one list of manufacturing capabilities of a network.

Routing steps (catalog) require a process and resources (suppliers) declare one, both by its `code`; this app
sits below both layers so that neither keeps a copy of the list. Staff edit it in the network admin; a process
they add can be declared by a supplier straight away.
"""

from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Process(models.Model):
    """A manufacturing capability an asset owner can offer; routing steps require one."""

    code = models.SlugField(
        max_length=40, unique=True, help_text="Stable key used by suppliers and matching."
    )
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    materials = models.JSONField(
        default=list,
        blank=True,
        help_text='Materials it works, e.g. ["oak", "steel"]. Empty means any material.',
    )
    max_length_mm = models.PositiveIntegerField(
        default=0, help_text="Largest part: longest side (0 = no limit)."
    )
    max_width_mm = models.PositiveIntegerField(default=0)
    max_height_mm = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        # The table the catalog created before the taxonomy got its own app (moved without copying rows).
        db_table = "catalog_process"
        ordering = ["name"]
        verbose_name_plural = "processes"

    def __str__(self):
        return self.name

    def clean(self):
        if not isinstance(self.materials, list) or not all(isinstance(m, str) and m for m in self.materials):
            raise ValidationError({"materials": 'A list of material names, e.g. ["oak", "steel"].'})


class RateKind(models.TextChoices):
    """What a rate row describes, which decides the figures it must carry (see ProcessRate.REQUIRED)."""

    PRINTING = "printing", "Printing (additive)"
    CUTTING = "cutting", "Sheet cutting"
    BENDING = "bending", "Sheet bending"
    COATING = "coating", "Coating"
    MACHINING = "machining", "Machining (subtractive)"


class ToleranceClass(models.TextChoices):
    """General tolerances a machined part may be ordered to (ISO 2768 classes plus a precision class)."""

    COARSE = "coarse", "Coarse (ISO 2768-c)"
    MEDIUM = "medium", "Medium (ISO 2768-m)"
    FINE = "fine", "Fine (ISO 2768-f)"
    PRECISION = "precision", "Precision (±0.02 mm)"


# The loosest machine tolerance (mm) that can hold each class: a resource qualifies when its own tolerance_mm
# is at most this (a machine that holds ±0.05 can make medium and fine parts, not precision ones).
TOLERANCE_CLASS_MM = {
    ToleranceClass.COARSE: 0.5,
    ToleranceClass.MEDIUM: 0.2,
    ToleranceClass.FINE: 0.05,
    ToleranceClass.PRECISION: 0.02,
}


def _positive_decimal(**kwargs) -> models.DecimalField:
    return models.DecimalField(
        max_digits=10,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.001"), message="Must be greater than zero.")],
        **kwargs,
    )


class ProcessRate(models.Model):
    """How fast a process works a material (and, for sheets, a thickness) and what the material costs: what
    an uploaded part's operations are compiled from (apps/uploads/operations.py). Staff tune them in the admin;
    each workshop's own pace is its resource's `speed_factor`, applied by the matching engine.

    Durations are reference minutes per part. Money is in minor units of the network's currency.
    """

    REQUIRED: dict[str, tuple[str, ...]] = {
        RateKind.PRINTING: ("deposition_cm3_per_hour", "build_mm_per_hour", "density_g_per_cm3"),
        RateKind.CUTTING: ("thickness_mm", "cut_mm_per_minute", "pierce_seconds"),
        RateKind.BENDING: ("minutes_per_bend",),
        RateKind.COATING: ("minutes_per_m2",),
        RateKind.MACHINING: ("removal_cm3_per_hour", "density_g_per_cm3", "tolerance_factors"),
    }

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="rates")
    kind = models.CharField(max_length=10, choices=RateKind.choices)
    material = models.CharField(
        max_length=50, blank=True, help_text='As resources name it, e.g. "pla", "steel". Empty: any material.'
    )
    thickness_mm = models.DecimalField(
        "thickness (mm)",
        max_digits=6,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text="Sheet processes: the sheet thickness this row is for. 0: not a sheet rate.",
    )
    setup_minutes = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text="Preparation per part (file, loading, unloading); the resource's setup cost covers the batch.",
    )
    min_wall_mm = models.DecimalField(
        "minimum wall (mm)",
        max_digits=6,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text="Thinnest wall or web the process makes reliably (0: no check).",
    )
    # Printing
    deposition_cm3_per_hour = _positive_decimal(verbose_name="deposition (cm³/h)")
    build_mm_per_hour = _positive_decimal(
        verbose_name="build height rate (mm/h)", help_text="How fast the build grows in height (layers)."
    )
    density_g_per_cm3 = _positive_decimal(verbose_name="density (g/cm³)")
    infill_percents = ArrayField(
        models.PositiveSmallIntegerField(validators=[MinValueValidator(5), MaxValueValidator(100)]),
        default=list,
        blank=True,
        size=8,
        help_text="Infill choices the customer gets (FDM), e.g. 20, 50, 100. Empty: printed solid.",
    )
    colours = ArrayField(
        models.CharField(max_length=30),
        default=list,
        blank=True,
        size=24,
        help_text="Colours offered in this material, e.g. black, white, grey. Empty: the material's own.",
    )
    # Cutting
    cut_mm_per_minute = _positive_decimal(verbose_name="cut speed (mm/min)")
    pierce_seconds = _positive_decimal(verbose_name="pierce time (s)")
    # Bending and coating
    minutes_per_bend = _positive_decimal()
    minutes_per_m2 = _positive_decimal(verbose_name="minutes per m²")
    # Machining
    removal_cm3_per_hour = _positive_decimal(verbose_name="removal rate (cm³/h)")
    tolerance_factors = models.JSONField(
        default=dict,
        blank=True,
        help_text=(
            'Machining time factor per tolerance class offered, e.g. {"medium": 1.0, "fine": 1.5}. Classes: '
            + ", ".join(ToleranceClass.values)
            + "."
        ),
    )
    finish_minutes = models.JSONField(
        default=dict,
        blank=True,
        help_text='Finishes offered and their minutes per dm² of surface, e.g. {"as_built": 0, "sanded": 4}.',
    )
    # Material cost drivers
    material_minor_per_kg = models.BigIntegerField(
        default=0,
        validators=[MinValueValidator(0)],
        help_text="Material bought per kg (printing, machining).",
    )
    material_minor_per_m2 = models.BigIntegerField(
        "material (minor units) per m²",
        default=0,
        validators=[MinValueValidator(0)],
        help_text="Sheet (cutting) or powder (coating) bought per m².",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["process__name", "material", "thickness_mm"]
        constraints = [
            models.UniqueConstraint(
                fields=["process", "material", "thickness_mm"], name="processes_rate_unique_per_material"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=RateKind.values), name="processes_rate_kind_valid"
            ),
        ]

    def __str__(self):
        thickness = f" {self.thickness_mm:g} mm" if self.thickness_mm else ""
        return f"{self.process_id and self.process.name}: {self.material or 'any material'}{thickness}"

    def clean(self):
        errors: dict[str, str] = {}
        for name in self.REQUIRED.get(self.kind, ()):
            value = getattr(self, name)
            if value in (None, "", {}) or (name == "thickness_mm" and not value):
                errors[name] = f"Needed for a {self.get_kind_display().lower()} rate."
        factors = self.tolerance_factors
        if not isinstance(factors, dict) or not all(
            key in ToleranceClass.values and _is_positive_number(value) for key, value in factors.items()
        ):
            errors["tolerance_factors"] = (
                "An object of tolerance class → factor above 0, classes: " + ", ".join(ToleranceClass.values)
            )
        finishes = self.finish_minutes
        if not isinstance(finishes, dict) or not all(
            isinstance(key, str) and 0 < len(key) <= 30 and _is_number(value) and value >= 0
            for key, value in finishes.items()
        ):
            errors["finish_minutes"] = (
                'An object of finish name → minutes per dm² (0 or more), e.g. {"sanded": 4}.'
            )
        if self.material != self.material.strip().lower():
            errors["material"] = "Lower-case, as resources list their materials."
        if errors:
            raise ValidationError(errors)


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_positive_number(value) -> bool:
    return _is_number(value) and value > 0
