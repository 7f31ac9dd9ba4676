"""Network admin for the catalog. Template formulas are checked as a whole before saving: every problem is shown
next to the field of the inline row that caused it, and nothing is saved until all are fixed.

Versions (apps.catalog.versions): a published version is read-only here as everywhere. Staff change one of the
network's own products with "Make a new version" (a draft copy, edited here in place), then "Publish" it, which
supersedes the published version; orders keep the version they bought. A designer's product is read-only in the
admin at every status: its author edits it in the studio and staff review it in the back office.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import admin, messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
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
    TemplateStatus,
)
from apps.catalog.selectors import template_spec_for
from apps.catalog.spec import ConstraintSpec, DerivedSpec, TemplateSpec
from apps.catalog.spec_cache import parameter_spec_from, step_spec_from
from apps.catalog.template_checks import CONSTRAINTS, DERIVED, PARAMETERS, STEPS, template_check
from apps.catalog.validation import InvalidConfiguration, clean_values
from apps.catalog.versions import template_staff_publish, template_version_create
from apps.core.errors import Conflict, InvalidInput, service_error_fields
from apps.core.jsonlimits import BOUNDED_JSON_FORM_FIELDS


def template_frozen_in_admin(template: ProductTemplate | None) -> bool:
    """A version the admin shows but never changes: published/superseded/retired, or any designer's product."""
    if template is None or template.pk is None or template.is_part_template:
        return False
    return not template.is_editable or template.designer_id is not None


class FrozenWithTemplate:
    """An inline whose rows are as frozen as the template version they belong to."""

    def has_add_permission(self, request, obj=None):
        return not template_frozen_in_admin(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not template_frozen_in_admin(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not template_frozen_in_admin(obj) and super().has_delete_permission(request, obj)


class ParameterInline(FrozenWithTemplate, admin.StackedInline):
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


class DerivedValueInline(FrozenWithTemplate, admin.TabularInline):
    model = DerivedValue
    extra = 0
    fields = ["key", "formula", "position"]


class ConstraintInline(FrozenWithTemplate, admin.TabularInline):
    model = Constraint
    extra = 0
    fields = ["expression", "message", "position"]


class RoutingStepInline(FrozenWithTemplate, admin.StackedInline):
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
        "version",
        "status",
        "active",
        "updated_at",
    ]
    list_filter = ["status", "active", "category", "part_kind"]
    search_fields = ["name", "slug", "category"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ParameterInline, DerivedValueInline, ConstraintInline, RoutingStepInline]
    readonly_fields = ["version_and_review", "operations_at_defaults"]
    fieldsets = [
        ("Version", {"fields": ["version_and_review"]}),
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
        # A part template or CAD product has no parameters or routing: its designs' operations come from a file.
        if obj is not None and obj.has_fixed_part:
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

    def has_change_permission(self, request, obj=None):
        return not template_frozen_in_admin(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Only a draft of the network's own goes away; published versions stay for the orders pinned to them.
        return not template_frozen_in_admin(obj) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change and not obj.part_kind:
            obj.status = TemplateStatus.DRAFT  # a new product is published with the "Publish" button
        super().save_model(request, obj, form, change)

    def get_urls(self):
        own = [
            path(
                "<int:template_id>/new-version/",
                self.admin_site.admin_view(self.new_version_view),
                name="catalog_producttemplate_new_version",
            ),
            path(
                "<int:template_id>/publish/",
                self.admin_site.admin_view(self.publish_view),
                name="catalog_producttemplate_publish",
            ),
        ]
        return own + super().get_urls()

    def _post_for_staff(self, request, template_id: int) -> ProductTemplate:
        if request.method != "POST" or not self.has_add_permission(request):
            raise PermissionDenied
        return get_object_or_404(ProductTemplate, pk=template_id)

    def new_version_view(self, request, template_id: int):
        template = self._post_for_staff(request, template_id)
        try:
            draft = template_version_create(actor=request.user, designer=None, template=template)
        except (Conflict, ObjectDoesNotExist) as error:
            self.message_user(request, str(error) or "Not a product of the network.", messages.ERROR)
            return redirect("admin:catalog_producttemplate_change", template.pk)
        self.message_user(request, f"Version {draft.version} is a draft: edit it, then publish it.")
        return redirect("admin:catalog_producttemplate_change", draft.pk)

    def publish_view(self, request, template_id: int):
        template = self._post_for_staff(request, template_id)
        try:
            published = template_staff_publish(actor=request.user, template=template)
        except InvalidInput as error:
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in service_error_fields(error).items())
            self.message_user(request, f"Not published: {problems}", messages.ERROR)
        except (Conflict, ObjectDoesNotExist) as error:
            self.message_user(request, f"Not published: {error}", messages.ERROR)
        else:
            self.message_user(request, f"Version {published.version} is published.")
        return redirect("admin:catalog_producttemplate_change", template.pk)

    @admin.display(description="Version")
    def version_and_review(self, obj: ProductTemplate):
        if obj is None or obj.pk is None or obj.is_part_template:
            return "—"
        if obj.designer_id is not None:
            action = format_html(
                'A designer\'s product: reviewed in the <a href="{}">back office</a>.',
                reverse("backoffice:template_review_list"),
            )
        elif obj.is_editable:
            action = format_html(
                '<button type="submit" formaction="{}" formnovalidate>Publish this version</button> '
                "(save your edits first)",
                reverse("admin:catalog_producttemplate_publish", args=[obj.pk]),
            )
        else:
            action = format_html(
                '<button type="submit" formaction="{}" formnovalidate>Make a new version</button> '
                "Published versions never change: edit a new draft, then publish it.",
                reverse("admin:catalog_producttemplate_new_version", args=[obj.pk]),
            )
        return format_html("v{} · {} — {}", obj.version, obj.get_status_display(), action)

    def _create_formsets(self, request, obj, change):
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        if request.method == "POST":
            _check_template_formsets(obj, formsets)
        return formsets, inline_instances

    @admin.display(description="Operations")
    def operations_at_defaults(self, obj: ProductTemplate):
        if obj is None or obj.pk is None:
            return "Save the template to see its operations."
        if obj.is_cad_product:
            return "A designer's CAD product: each customer's options compile the part's own operations."
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
