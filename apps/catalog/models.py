"""Catalog: configurable product templates and customers' designs (the process taxonomy is apps.processes).

Formulas are stored as text and only ever evaluated by apps.catalog.formulas. Model `clean()` methods check
what a single row can know (syntax, shapes of JSON fields); the whole-template checks (names, defaults) live in
apps.catalog.template_checks and run in the admin before anything is saved.
"""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from apps.catalog.formulas import FormulaError, parse_formula
from apps.catalog.royalty import NO_ROYALTY, RoyaltyTerms, royalty_validate
from apps.catalog.spec import ParameterKind
from apps.core.currencies import stripe_currency
from apps.core.uploads import validate_image_upload
from apps.processes.models import Process

identifier_validator = RegexValidator(
    r"^[a-z][a-z0-9_]{0,39}$", "Use lower-case letters, digits and _ (starting with a letter)."
)
FORMULA_HELP = (
    "A formula over the parameters, e.g. <code>setup + area_m2 * 12</code>. Numbers, + - * / // % **, "
    "comparisons, and/or/not, <code>a if cond else b</code>, min max abs round ceil floor sqrt len."
)


def _formula_errors(**sources: str) -> dict[str, str]:
    errors = {}
    for field, source in sources.items():
        if not source:
            continue
        try:
            parse_formula(source)
        except FormulaError as error:
            errors[field] = str(error)
    return errors


class PreviewKind(models.TextChoices):
    GENERIC = "generic", "Generic box"
    TABLE = "table", "Table (top and side views)"
    BOOKSHELF = "bookshelf", "Bookshelf (front view)"


class PartTemplateKind(models.TextChoices):
    """The hidden templates an uploaded part's design belongs to, one per kind of part (the values are
    apps.uploads.analysis.result.PartKind's). They carry what staff tune for uploads: margin, transport buffer
    and price breaks; they have no parameters or routing (the upload's operations are compiled from its file)."""

    MESH = "mesh", "Uploaded mesh (3D printing)"
    PROFILE = "profile", "Uploaded profile (sheet cutting)"
    SOLID = "solid", "Uploaded solid (machining)"


def default_price_breaks() -> list[int]:
    return [1, 2, 5, 10, 25]


class TemplateStatus(models.TextChoices):
    """Where one version of a product stands (the transitions are apps.catalog.versions')."""

    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    PUBLISHED = "published", "Published"
    SUPERSEDED = "superseded", "Superseded"
    RETIRED = "retired", "Retired"


# The versions whose definition may still change; every other status is frozen for good.
EDITABLE_STATUSES = (TemplateStatus.DRAFT, TemplateStatus.CHANGES_REQUESTED)
# The one version of a family that is being worked on or reviewed (at most one at a time).
OPEN_STATUSES = (TemplateStatus.DRAFT, TemplateStatus.IN_REVIEW, TemplateStatus.CHANGES_REQUESTED)


class ProductTemplate(models.Model):
    """A configurable product: typed parameters, constraints between them and a routing of process steps."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(
        max_length=80, help_text="The product's address; the same for every version of the product."
    )
    category = models.CharField(max_length=60, db_index=True)
    description = models.TextField(blank=True)
    image = models.ImageField(
        upload_to="catalog/templates/",
        blank=True,
        validators=[validate_image_upload],
        help_text="JPEG, PNG or WebP, at most 5 MB.",
    )
    active = models.BooleanField(default=True, help_text="Inactive templates are hidden from the storefront.")
    currency = models.CharField(max_length=3, default="EUR")
    margin_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=25,
        validators=[MinValueValidator(0), MaxValueValidator(500)],
        help_text="Added on top of the cost roll-up in the catalogue estimate.",
    )
    transport_buffer_days = models.PositiveSmallIntegerField(
        default=3, help_text="Working days added to the critical path for transport to the customer."
    )
    price_break_quantities = ArrayField(
        models.PositiveIntegerField(validators=[MinValueValidator(1), MaxValueValidator(100)]),
        default=default_price_breaks,
        size=8,
        help_text="Quantities the storefront prices, each by the network (setup shared, capacity respected).",
    )
    preview_kind = models.CharField(max_length=20, choices=PreviewKind.choices, default=PreviewKind.GENERIC)
    part_kind = models.CharField(
        max_length=10,
        choices=PartTemplateKind.choices,
        blank=True,
        help_text="Set only on the hidden templates of uploaded parts (never listed in the catalogue).",
    )
    position = models.PositiveIntegerField(default=0)
    # Versions: every row is one version of a product (its family). A published row is never edited again: an
    # edit is a new draft row (apps.catalog.versions) that is reviewed, then published over the previous one.
    family = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    status = models.CharField(
        max_length=20, choices=TemplateStatus.choices, default=TemplateStatus.PUBLISHED, editable=False
    )
    submission_note = models.TextField(blank=True, help_text="What the author changed, for the reviewer.")
    review_notes = models.TextField(blank=True, editable=False)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    designer = models.ForeignKey(
        "designers.Designer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="templates",
        help_text="Who designed the product; empty for the network's own products.",
    )
    # The designer's royalty (apps/catalog/royalty.py): added to the customer's price, paid to the designer.
    royalty_kind = models.CharField(
        max_length=8,
        choices=[("", "No royalty"), ("percent", "Percentage of the price"), ("fixed", "Fixed per unit")],
        blank=True,
        default="",
    )
    royalty_bp = models.PositiveIntegerField(
        "royalty (basis points of the price)", default=0, help_text="500 = 5 % of the network's price."
    )
    royalty_minor = models.BigIntegerField(
        "royalty per unit (minor units)", default=0, help_text="In the template's currency."
    )
    # A designer's uploaded CAD part published as a fixed product (apps/uploads/products.py): the part is the
    # upload's, the customer chooses the options the network offers for it, narrowed to `part_options`.
    part_upload = models.ForeignKey(
        "uploads.PartUpload",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
        help_text="Set only on a designer's CAD product: the uploaded part it makes.",
    )
    part_options = models.JSONField(
        default=dict,
        blank=True,
        help_text='The options customers may choose, per option: {"material": ["pla", "petg"]}; absent = all.',
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["part_kind"],
                condition=~models.Q(part_kind=""),
                name="catalog_template_one_per_part_kind",
            ),
            models.UniqueConstraint(
                fields=["family", "version"], name="catalog_template_family_version_unique"
            ),
            models.UniqueConstraint(
                fields=["family"],
                condition=models.Q(status="published"),
                name="catalog_template_one_published_per_family",
            ),
            models.UniqueConstraint(
                fields=["family"],
                condition=models.Q(status__in=["draft", "in_review", "changes_requested"]),
                name="catalog_template_one_open_version_per_family",
            ),
            models.UniqueConstraint(
                fields=["slug"],
                condition=models.Q(status="published"),
                name="catalog_template_published_slug_unique",
            ),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="catalog_template_version_gte_1"),
            models.CheckConstraint(
                condition=models.Q(part_upload__isnull=True) | models.Q(designer__isnull=False, part_kind=""),
                name="catalog_template_part_upload_of_designer",
            ),
            models.CheckConstraint(
                condition=models.Q(royalty_kind="", royalty_bp=0, royalty_minor=0)
                | models.Q(royalty_kind="percent", royalty_bp__gt=0, royalty_bp__lte=10_000, royalty_minor=0)
                | models.Q(royalty_kind="fixed", royalty_bp=0, royalty_minor__gt=0),
                name="catalog_template_royalty_shape",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_part_template(self) -> bool:
        return bool(self.part_kind)

    @property
    def has_fixed_part(self) -> bool:
        """The product is one part compiled from a CAD file (an uploaded part's hidden template, or a designer's
        CAD product): its designs carry the operations compiled when they were saved; it has no routing."""
        return self.is_part_template or self.part_upload_id is not None

    @property
    def is_cad_product(self) -> bool:
        return self.part_upload_id is not None

    @property
    def is_editable(self) -> bool:
        """Only a draft (or one sent back with changes requested) may change; part templates are tuned in place."""
        return self.status in EDITABLE_STATUSES or self.is_part_template

    @property
    def royalty_terms(self) -> RoyaltyTerms:
        """The royalty the customer pays on top of the price: none on the network's own products (no designer
        would receive it: the profit share pays royalties only to an order line's designer)."""
        if self.designer_id is None:
            return NO_ROYALTY
        return RoyaltyTerms(kind=self.royalty_kind, bp=self.royalty_bp, minor=self.royalty_minor)

    def clean(self):
        if stripe_currency(self.currency) is None or self.currency != self.currency.upper():
            raise ValidationError({"currency": f"{self.currency!r} is not a currency Stripe can charge in."})
        if self.designer_id is None and self.royalty_kind:
            raise ValidationError({"royalty_kind": "Only a designer's product carries a royalty."})
        royalty_validate(terms=self.royalty_terms, currency=self.currency)


class Parameter(models.Model):
    template = models.ForeignKey(ProductTemplate, on_delete=models.CASCADE, related_name="parameters")
    key = models.CharField(
        max_length=40, validators=[identifier_validator], help_text="The name formulas use."
    )
    label = models.CharField(max_length=80)
    kind = models.CharField(max_length=10, choices=[(k.value, k.value.title()) for k in ParameterKind])
    position = models.PositiveIntegerField(default=0)
    required = models.BooleanField(default=True, help_text="Only text may be optional.")
    help_text = models.CharField(max_length=200, blank=True)
    unit = models.CharField(max_length=12, blank=True, help_text="Numbers: e.g. mm, °, pcs.")
    min_value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    max_value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    step = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    default = models.CharField(max_length=200, blank=True, help_text="Number, option value or text.")
    max_length = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Text: most characters.")
    options = models.JSONField(
        default=list,
        blank=True,
        help_text=(
            'Choice and colour: [{"value": "oak", "label": "Oak", "attributes": {"material": "oak", '
            '"price_m2": 180}}]. Colour values are #rrggbb. Formulas see attributes as '
            "<code>&lt;key&gt;_&lt;attribute&gt;</code>."
        ),
    )

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["template", "key"], name="catalog_parameter_key_unique")
        ]

    def __str__(self):
        return self.key

    def clean(self):
        if not isinstance(self.options, list) or not all(_is_option(o) for o in self.options):
            raise ValidationError(
                {
                    "options": 'A list of {"value": …, "label": …, "attributes": {name: number or text}} objects.'
                }
            )


def _is_option(option) -> bool:
    return (
        isinstance(option, dict)
        and isinstance(option.get("value"), str)
        and bool(option["value"])
        and isinstance(option.get("label", ""), str)
        and isinstance(option.get("attributes", {}), dict)
        and set(option) <= {"value", "label", "attributes"}
    )


class DerivedValue(models.Model):
    """A named intermediate formula (e.g. `area_m2 = width * depth / 1e6`) other formulas can use."""

    template = models.ForeignKey(ProductTemplate, on_delete=models.CASCADE, related_name="derived_values")
    key = models.CharField(max_length=40, validators=[identifier_validator])
    formula = models.CharField(max_length=500, help_text=FORMULA_HELP)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["template", "key"], name="catalog_derived_key_unique")]

    def __str__(self):
        return f"{self.key} = {self.formula}"

    def clean(self):
        if errors := _formula_errors(formula=self.formula):
            raise ValidationError(errors)


class Constraint(models.Model):
    """A condition every configuration must meet, e.g. `area_m2 <= 2.0`, with the message shown otherwise."""

    template = models.ForeignKey(ProductTemplate, on_delete=models.CASCADE, related_name="constraints")
    expression = models.CharField(max_length=500, help_text="Must be true for a valid configuration.")
    message = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.expression

    def clean(self):
        if errors := _formula_errors(expression=self.expression):
            raise ValidationError(errors)


class RoutingStep(models.Model):
    """One node of the template's routing DAG; compiles into one operation per design."""

    template = models.ForeignKey(ProductTemplate, on_delete=models.CASCADE, related_name="steps")
    key = models.CharField(max_length=40, validators=[identifier_validator])
    name = models.CharField(max_length=100)
    process = models.ForeignKey(Process, on_delete=models.PROTECT, related_name="steps")
    position = models.PositiveIntegerField(default=0)
    predecessors = models.CharField(
        max_length=300, blank=True, help_text="Keys of the steps that must finish first, comma-separated."
    )
    condition = models.CharField(
        max_length=500,
        blank=True,
        help_text='Optional: the step exists only when true, e.g. printing == "fdm".',
    )
    material = models.CharField(
        max_length=500,
        blank=True,
        help_text='Text formula, e.g. "steel" or top_material_material. Empty = any.',
    )
    quantity = models.CharField(max_length=500, default="1", help_text="Whole number of identical parts.")
    duration_minutes = models.CharField(
        max_length=500, help_text="Processing minutes for the whole quantity; may use <code>quantity</code>."
    )
    length_mm = models.CharField(max_length=500, blank=True, help_text="Part size formulas in mm.")
    width_mm = models.CharField(max_length=500, blank=True)
    height_mm = models.CharField(max_length=500, blank=True)
    cost_drivers = models.JSONField(
        default=dict,
        blank=True,
        help_text=(
            'Named cost formulas in the template currency, e.g. {"setup": "25", "material": '
            '"area_m2 * top_material_price_m2", "machine": "duration_min / 60 * 55"}.'
        ),
    )
    material_drivers = models.CharField(
        max_length=300,
        blank=True,
        help_text=(
            "Which cost drivers are bought-in materials, comma-separated, e.g. wood, oil_finish. The network "
            "quote adds them to the workshop's own price for the work (which stands in for the others)."
        ),
    )

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["template", "key"], name="catalog_step_key_unique")]

    def __str__(self):
        return self.name

    @property
    def predecessor_keys(self) -> tuple[str, ...]:
        return tuple(key.strip() for key in self.predecessors.split(",") if key.strip())

    @property
    def material_driver_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(name.strip() for name in self.material_drivers.split(",") if name.strip()))

    def clean(self):
        errors = _formula_errors(
            condition=self.condition,
            material=self.material,
            quantity=self.quantity,
            duration_minutes=self.duration_minutes,
            length_mm=self.length_mm,
            width_mm=self.width_mm,
            height_mm=self.height_mm,
        )
        if not isinstance(self.cost_drivers, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in self.cost_drivers.items()
        ):
            errors["cost_drivers"] = 'An object of name → formula text, e.g. {"setup": "25"}.'
        else:
            for name, source in self.cost_drivers.items():
                if problem := _formula_errors(driver=source):
                    errors["cost_drivers"] = f"{name}: {problem['driver']}"
                    break
        if errors:
            raise ValidationError(errors)


class Design(models.Model):
    """A customer's named configuration of a template. Its values live in immutable versions."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="designs")
    template = models.ForeignKey(ProductTemplate, on_delete=models.PROTECT, related_name="designs")
    name = models.CharField(max_length=100)
    share_token = models.CharField(max_length=64, unique=True, help_text="Secret of the private share link.")
    current_version = models.ForeignKey(
        "DesignVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self):
        return self.name


class DesignVersion(models.Model):
    """One immutable configuration of a design. Orders point here, by the stable UUID."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    design = models.ForeignKey(Design, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    values = models.JSONField()
    operations = models.JSONField(help_text="The compiled operations when this version was saved.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["design", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["design", "number"], name="catalog_design_version_number_unique"),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="catalog_design_version_number_gte_1"
            ),
        ]

    def __str__(self):
        return f"{self.design.name} v{self.number}"
