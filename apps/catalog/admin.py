"""Network admin for the catalog. Template formulas are checked as a whole before saving: every problem is shown
next to the field of the inline row that caused it, and nothing is saved until all are fixed."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from apps.catalog.compile import compile_operations
from apps.catalog.formulas import FormulaError
from apps.catalog.models import (
    Constraint,
    DerivedValue,
    Design,
    DesignVersion,
    Parameter,
    ProductTemplate,
    RoutingStep,
)
from apps.catalog.selectors import parameter_spec_from, step_spec_from, template_spec_for
from apps.catalog.spec import ConstraintSpec, DerivedSpec, TemplateSpec
from apps.catalog.template_checks import CONSTRAINTS, DERIVED, PARAMETERS, STEPS, template_check
from apps.catalog.validation import InvalidConfiguration, clean_values
from apps.core.jsonlimits import BOUNDED_JSON_FORM_FIELDS


class ParameterInline(admin.StackedInline):
    formfield_overrides = BOUNDED_JSON_FORM_FIELDS
    model = Parameter
    extra = 0
    fields = [
        ("key", "label", "kind", "position"),
        ("required", "help_text"),
        ("unit", "min_value", "max_value", "step"),
        ("default", "max_length"),
        "options",
    ]


class DerivedValueInline(admin.TabularInline):
    model = DerivedValue
    extra = 0
    fields = ["key", "formula", "position"]


class ConstraintInline(admin.TabularInline):
    model = Constraint
    extra = 0
    fields = ["expression", "message", "position"]


class RoutingStepInline(admin.StackedInline):
    formfield_overrides = BOUNDED_JSON_FORM_FIELDS
    model = RoutingStep
    extra = 0
    autocomplete_fields = ["process"]
    fields = [
        ("key", "name", "process", "position"),
        ("predecessors", "condition"),
        ("material", "quantity", "duration_minutes"),
        ("length_mm", "width_mm", "height_mm"),
        "cost_drivers",
        "material_drivers",
    ]


SECTION_OF_PREFIX = {
    "parameters": PARAMETERS,
    "derived_values": DERIVED,
    "constraints": CONSTRAINTS,
    "steps": STEPS,
}


@admin.register(ProductTemplate)
class ProductTemplateAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "category",
        "part_kind",
        "currency",
        "margin_percent",
        "active",
        "updated_at",
    ]
    list_filter = ["active", "category", "part_kind"]
    search_fields = ["name", "slug", "category"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ParameterInline, DerivedValueInline, ConstraintInline, RoutingStepInline]
    readonly_fields = ["operations_at_defaults"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "category", "description", "image", "active", "position"]}),
        (
            "Pricing and preview",
            {
                "fields": [
                    "currency",
                    "margin_percent",
                    "transport_buffer_days",
                    "price_break_quantities",
                    "preview_kind",
                ]
            },
        ),
        ("Operations for the default values", {"fields": ["operations_at_defaults"]}),
    ]

    def get_inline_instances(self, request, obj=None):
        # A part template has no parameters or routing: its designs' operations come from the uploaded file.
        if obj is not None and obj.part_kind:
            return []
        return super().get_inline_instances(request, obj)

    def get_fieldsets(self, request, obj=None):
        if obj is not None and obj.part_kind:
            return [
                (None, {"fields": ["name", "slug", "part_kind", "description", "active"]}),
                (
                    "Pricing of uploaded parts",
                    {
                        "fields": [
                            "currency",
                            "margin_percent",
                            "transport_buffer_days",
                            "price_break_quantities",
                        ]
                    },
                ),
            ]
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, "part_kind"] if obj is not None and obj.part_kind else readonly

    def _create_formsets(self, request, obj, change):
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        if request.method == "POST":
            _check_template_formsets(obj, formsets)
        return formsets, inline_instances

    @admin.display(description="Operations")
    def operations_at_defaults(self, obj: ProductTemplate):
        if obj is None or obj.pk is None:
            return "Save the template to see its operations."
        spec = template_spec_for(obj)
        values, errors = clean_values(spec, spec.defaults())
        if errors:
            return f"The defaults are invalid: {errors}"
        try:
            operations = compile_operations(spec, values)
        except (FormulaError, InvalidConfiguration) as error:
            return f"The defaults do not compile: {error}"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} mm</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
            "<td>{}</td></tr>",
            (
                (
                    op.step_key,
                    op.name,
                    op.process,
                    op.material or "any",
                    " × ".join(f"{d:g}" for d in op.dimensions_mm),
                    op.quantity,
                    f"{op.duration_minutes:g}",
                    ", ".join(f"{k} {v:.2f}" for k, v in op.cost_drivers.items()),
                    f"{op.material_cost:.2f}",
                    ", ".join(op.predecessors) or "—",
                )
                for op in operations
            ),
        )
        return format_html(
            "<table><thead><tr><th>Step</th><th>Name</th><th>Process</th><th>Material</th><th>Size</th>"
            "<th>Qty</th><th>Minutes</th><th>Cost drivers ({})</th><th>Of which materials</th><th>After</th></tr>"
            "</thead><tbody>{}</tbody></table>",
            obj.currency,
            rows,
        )


def _check_template_formsets(template: ProductTemplate, formsets) -> None:
    """Validates the inline formsets, then the template they define as a whole; adds every issue to the field
    of the row it concerns, so the admin re-renders the form with the message next to it."""
    by_section = {}
    for formset in formsets:
        section = SECTION_OF_PREFIX.get(formset.prefix)
        if section is None:
            continue
        if not formset.is_valid():
            return  # row-level errors first; the whole-template check needs clean rows
        by_section[section] = [
            form
            for form in formset.forms
            if form.has_changed() or form.instance.pk
            if not (formset.can_delete and formset._should_delete_form(form))
        ]
    if len(by_section) < len(SECTION_OF_PREFIX):
        return
    forms = {section: [f for f in by_section[section] if f.cleaned_data] for section in by_section}
    try:
        spec = _spec_from_forms(template, forms)
    except (KeyError, ValueError, InvalidOperation):
        return
    for issue in template_check(spec):
        rows = forms.get(issue.section)
        if rows and 0 <= issue.index < len(rows):
            form = rows[issue.index]
            field = issue.field if issue.field in form.fields else None
            form.add_error(field, issue.message)
        elif forms.get(STEPS):
            forms[STEPS][0].add_error(None, issue.message)
        elif forms.get(PARAMETERS):
            forms[PARAMETERS][0].add_error(None, issue.message)


def _spec_from_forms(template: ProductTemplate, forms) -> TemplateSpec:
    # A valid model form has already copied its cleaned data onto form.instance (ModelForm._post_clean).
    # Issues are reported by row index, so the forms are put in the same order as the spec's rows.
    for section in (PARAMETERS, DERIVED, CONSTRAINTS, STEPS):
        forms[section].sort(key=lambda form: form.instance.position)
    parameters = [form.instance for form in forms[PARAMETERS]]
    derived = [form.instance for form in forms[DERIVED]]
    constraints = [form.instance for form in forms[CONSTRAINTS]]
    steps = [form.instance for form in forms[STEPS]]
    return TemplateSpec(
        slug=template.slug or "",
        name=template.name or "",
        currency=template.currency or "EUR",
        margin_percent=Decimal(template.margin_percent or 0),
        transport_buffer_days=template.transport_buffer_days or 0,
        preview_kind=template.preview_kind,
        parameters=tuple(parameter_spec_from(p) for p in parameters),
        derived=tuple(DerivedSpec(key=d.key, formula=d.formula) for d in derived),
        constraints=tuple(ConstraintSpec(expression=c.expression, message=c.message) for c in constraints),
        steps=tuple(step_spec_from(s) for s in steps),
    )


class DesignVersionInline(admin.TabularInline):
    model = DesignVersion
    extra = 0
    can_delete = False
    fields = ["number", "id", "values", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Design)
class DesignAdmin(admin.ModelAdmin):
    """Read-only: designs belong to customers; staff look, they do not edit."""

    list_display = ["name", "owner", "template", "current_version", "updated_at"]
    list_select_related = ["owner", "template", "current_version__design"]
    search_fields = ["name", "owner__email"]
    list_filter = ["template"]
    readonly_fields = [
        "owner",
        "template",
        "name",
        "share_token",
        "current_version",
        "created_at",
        "updated_at",
    ]
    fields = readonly_fields
    inlines = [DesignVersionInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
