"""Staff curate the catalog in the network's admin; formula problems appear next to the field, nothing saved."""

import pytest

from apps.accounts.roles import Role
from apps.catalog.models import ProductTemplate, RoutingStep, TemplateStatus
from apps.catalog.versions import template_version_create
from apps.processes.models import Process

pytestmark = pytest.mark.django_db


@pytest.fixture
def table_draft(demo_catalog_a, tenant_a, make_user):
    """A draft version 2 of the demo dining table: staff edit drafts in the admin, never published versions."""
    return template_version_create(
        actor=make_user(tenant_a, Role.STAFF), template=demo_catalog_a["dining-table"]
    )


def change_form_data(response) -> dict:
    """The POST body the admin change form would send unchanged (main form, every inline and its management form)."""
    data = {}

    def put(form):
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if isinstance(value, bool):
                if value:
                    data[key] = "on"
            elif value is None or name == "image":
                data[key] = ""
            else:
                data[key] = str(value)

    put(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        put(formset.management_form)
        for form in formset.forms:
            put(form)
    return data


def step_prefix(data: dict, key: str) -> str:
    return next(
        name[: -len("-key")]
        for name, value in data.items()
        if name.startswith("steps-") and name.endswith("-key") and value == key
    )


def change_url(template) -> str:
    return f"/admin/catalog/producttemplate/{template.pk}/change/"


def test_change_page_shows_the_operations_at_the_defaults(demo_catalog_a, staff_a):
    response = staff_a.get(change_url(demo_catalog_a["dining-table"]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Operations for the default values" in content
    assert "<td>cnc_milling</td>" in content and "<td>1800 × 900 × 40 mm</td>" in content
    # 1.62 m² of oak with 10 % offcut at €210/m² plus oil at €18/m²: the top's bought-in materials
    assert "Of which materials" in content and "<td>403.38</td>" in content


@pytest.mark.parametrize(
    ("field", "formula", "message"),
    [
        ("duration_minutes", "9**9**9", "Exponents are limited"),
        ("duration_minutes", "__import__('os').getcwd()", "Attribute access"),
        ("duration_minutes", "25 + area * 18", "Unknown name area."),
        ("duration_minutes", "25 - width", "The processing time must be more than 0 minutes"),
        ("duration_minutes", "width / (depth - 900)", "Division by zero."),
        ("length_mm", "width +", "Syntax error"),
    ],
)
def test_formula_errors_are_shown_next_to_the_field_and_nothing_is_saved(
    table_draft, staff_a, field, formula, message
):
    table = table_draft
    data = change_form_data(staff_a.get(change_url(table)))
    data[f"{step_prefix(data, 'top')}-{field}"] = formula
    response = staff_a.post(change_url(table), data)
    assert response.status_code == 200, "re-rendered with errors, not redirected"
    step_forms = next(
        i.formset for i in response.context["inline_admin_formsets"] if i.formset.prefix == "steps"
    )
    top_form = next(f for f in step_forms.forms if f.instance.key == "top")
    assert any(message in error for error in top_form.errors[field]), top_form.errors
    assert message.split(".")[0] in response.content.decode().replace("&#x27;", "'")
    assert (
        RoutingStep.objects.get(template=table, key="top").duration_minutes
        == "25 + area_m2 * 18 + perimeter_m * 4"
    )


def test_an_unknown_material_driver_is_shown_next_to_the_field(table_draft, staff_a):
    table = table_draft
    data = change_form_data(staff_a.get(change_url(table)))
    assert data[f"{step_prefix(data, 'top')}-material_drivers"] == "wood, oil_finish"
    data[f"{step_prefix(data, 'top')}-material_drivers"] = "wood, lacquer"
    response = staff_a.post(change_url(table), data)
    assert response.status_code == 200, "re-rendered with errors, not redirected"
    step_forms = next(
        i.formset for i in response.context["inline_admin_formsets"] if i.formset.prefix == "steps"
    )
    top_form = next(f for f in step_forms.forms if f.instance.key == "top")
    assert top_form.errors["material_drivers"] == [
        "'lacquer': not among this step's cost drivers (wood, machine, oil_finish)."
    ]
    assert RoutingStep.objects.get(template=table, key="top").material_drivers == "wood, oil_finish"


def test_a_parameter_rename_that_breaks_formulas_is_refused(table_draft, staff_a):
    table = table_draft
    data = change_form_data(staff_a.get(change_url(table)))
    key_field = next(
        name
        for name, value in data.items()
        if name.startswith("parameters-") and name.endswith("-key") and value == "width"
    )
    data[key_field] = "length"
    response = staff_a.post(change_url(table), data)
    assert response.status_code == 200
    assert "Unknown name width." in response.content.decode()
    assert table.parameters.filter(key="width").exists()


def test_a_valid_edit_is_saved(table_draft, staff_a):
    table = table_draft
    data = change_form_data(staff_a.get(change_url(table)))
    data[f"{step_prefix(data, 'assembly')}-duration_minutes"] = "50"
    data["margin_percent"] = "35"
    response = staff_a.post(change_url(table), data)
    assert response.status_code == 302, response.context and [
        (i.formset.prefix, i.formset.errors, i.formset.non_form_errors())
        for i in response.context["inline_admin_formsets"]
    ]
    table.refresh_from_db()
    assert table.margin_percent == 35
    assert RoutingStep.objects.get(template=table, key="assembly").duration_minutes == "50"


def test_a_published_version_is_read_only_in_the_admin(demo_catalog_a, staff_a):
    table = demo_catalog_a["dining-table"]
    margin = table.margin_percent
    page = staff_a.get(change_url(table))
    assert page.status_code == 200
    assert "Make a new version" in page.content.decode()
    data = change_form_data(page)
    data["margin_percent"] = "35"
    assert staff_a.post(change_url(table), data).status_code == 403
    table.refresh_from_db()
    assert table.margin_percent == margin


def test_staff_make_a_new_version_edit_it_and_publish_it(demo_catalog_a, staff_a):
    table = demo_catalog_a["dining-table"]
    response = staff_a.post(f"/admin/catalog/producttemplate/{table.pk}/new-version/")
    draft = ProductTemplate.objects.get(family=table.family, version=2)
    assert response.status_code == 302 and response["Location"] == change_url(draft)
    data = change_form_data(staff_a.get(change_url(draft)))
    data["margin_percent"] = "35"
    assert staff_a.post(change_url(draft), data).status_code == 302
    staff_a.post(f"/admin/catalog/producttemplate/{draft.pk}/publish/")
    table.refresh_from_db()
    draft.refresh_from_db()
    assert (table.status, table.margin_percent) == (TemplateStatus.SUPERSEDED, 30)
    assert (draft.status, draft.margin_percent) == (TemplateStatus.PUBLISHED, 35)


def test_a_new_product_made_in_the_admin_starts_as_a_draft(in_tenant_a, staff_a):
    response = staff_a.post(
        "/admin/catalog/producttemplate/add/",
        {
            "name": "Stool",
            "slug": "stool",
            "category": "Seating",
            "currency": "EUR",
            "margin_percent": "25",
            "transport_buffer_days": "3",
            "price_break_quantities": "1,2,5",
            "preview_kind": "generic",
            "active": "on",
            "position": "0",
            **{
                f"{prefix}-{suffix}": value
                for prefix in ("parameters", "derived_values", "constraints", "steps")
                for suffix, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))
            },
        },
    )
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    assert ProductTemplate.objects.get(slug="stool").status == TemplateStatus.DRAFT


def test_process_admin_lists_the_taxonomy(in_tenant_a, staff_a):
    response = staff_a.get("/admin/processes/process/")
    assert response.status_code == 200
    assert Process.objects.count() >= 13
    assert b"powder_coating" in response.content
