"""The designer studio's pages: a designer's own products only (another's → 404), the editor saving a draft as
the designer types with the template's checks next to the inputs, the storefront's own configurator as the live
preview with a test quote, what the network cannot make, and submit / new version / retire."""

import pytest

from apps.accounts.roles import Role
from apps.catalog.models import ProductTemplate, TemplateStatus
from apps.catalog.selectors import template_spec_for
from apps.catalog.versions import APPROVE, template_review
from apps.suppliers.status import ParticipantStatus
from tests.conftest import sign_in
from tests.designers.factories import make_designer, make_designer_member
from tests.orders.conftest import small_network

pytestmark = pytest.mark.django_db


def edit_url(template) -> str:
    return f"/designer/studio/{template.pk}/"


def editor_data(response) -> dict:
    """The POST body the editor would send unchanged (product form, every formset and its management form)."""
    data = {}

    def put(form):
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if isinstance(value, bool):
                if value:
                    data[key] = "on"
            else:
                data[key] = "" if value is None else str(value)

    editor = response.context["editor"]
    put(editor.product)
    for formset in editor.formsets.values():
        put(formset.management_form)
        for form in formset.forms:
            put(form)
    return data


def field_name(data: dict, section: str, key: str, field: str) -> str:
    prefix = next(
        name[: -len("-key")]
        for name, value in data.items()
        if name.startswith(f"{section}-") and name.endswith("-key") and value == key
    )
    return f"{prefix}-{field}"


def test_the_studio_lists_my_products_and_not_anothers(studio, draft_a, other_designer_draft):
    page = studio.get("/designer/studio/").content.decode()
    assert "Designer stand" in page and "Other stand" not in page
    assert studio.get(edit_url(other_designer_draft)).status_code == 404
    assert studio.get(f"/designer/studio/{other_designer_draft.pk}/preview/").status_code == 405
    assert studio.post(f"/designer/studio/{other_designer_draft.pk}/submit/").status_code == 404
    assert studio.post(f"/designer/studio/{other_designer_draft.pk}/preview/").status_code == 404
    assert studio.post(edit_url(other_designer_draft), {"name": "Mine now"}).status_code == 404
    assert studio.get(f"/designer/studio/{other_designer_draft.pk}/coverage/").status_code == 404
    for action in ("new-version", "retire", "discard"):
        response = studio.post(f"/designer/studio/{other_designer_draft.pk}/{action}/")
        assert response.status_code == 404, action
    other_designer_draft.refresh_from_db()  # still there, unchanged
    assert (other_designer_draft.name, other_designer_draft.status) == ("Other stand", TemplateStatus.DRAFT)


def test_only_members_of_an_approved_designer_enter(other_client, tenant_a, make_user, catalog_a, draft_a):
    assert other_client.get("/designer/studio/").status_code == 302, "visitors go to sign in"
    sign_in(other_client, tenant_a, make_user(tenant_a, Role.CUSTOMER))
    assert other_client.get("/designer/studio/").status_code == 404
    applied = make_designer("Fresh Applicant", status=ParticipantStatus.APPLIED)
    sign_in(other_client, tenant_a, make_designer_member(applied))
    assert other_client.get("/designer/studio/").status_code == 404


def test_the_studio_is_walled_by_network(client_b, tenant_b, studio_member, draft_a):
    """A member of alpha's designer has no login on beta: the studio there sends to sign in."""
    assert client_b.get(edit_url(draft_a)).status_code == 302


def test_a_new_product_starts_as_a_draft_with_its_problems_listed(studio, studio_designer):
    response = studio.post("/designer/studio/new/", {"name": "Oak side table", "category": "Tables"})
    template = ProductTemplate.objects.get(designer=studio_designer, slug="oak-side-table")
    assert response["Location"] == edit_url(template)
    assert (template.status, template.version) == (TemplateStatus.DRAFT, 1)
    page = studio.get(edit_url(template)).content.decode()
    assert "A template needs at least one parameter." in page
    refused = studio.post("/designer/studio/new/", {"name": "No category"}, follow=True)
    assert "This field cannot be blank." in refused.content.decode()


def test_typing_saves_the_draft_and_shows_the_checks_next_to_the_input(studio, draft_a):
    data = editor_data(studio.get(edit_url(draft_a)))
    data[field_name(data, "steps", "packing", "duration")] = "25 + nowhere"
    response = studio.post(edit_url(draft_a), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Trigger"] == "studio-saved"
    step_forms = response.context["editor"].formsets["steps"]
    packing_form = next(form for form in step_forms.forms if form.cleaned_data.get("key") == "packing")
    assert packing_form.errors["duration"] == ["Unknown name nowhere."]
    assert draft_a.steps.get(key="packing").duration_minutes == "25 + nowhere", "a draft may be incomplete"
    # a malformed row is not saved: the problem shows where it is
    data[field_name(data, "parameters", "width", "min")] = "lots"
    response = studio.post(edit_url(draft_a), data, HTTP_HX_REQUEST="true")
    width_form = next(
        f
        for f in response.context["editor"].formsets["parameters"].forms
        if f.cleaned_data.get("key") == "width"
    )
    assert width_form.errors["min"]
    assert draft_a.parameters.get(key="width").min_value != "lots"


def test_the_preview_is_the_storefronts_configurator_with_a_test_quote(studio, draft_a, in_tenant_a):
    small_network()
    page = studio.get(edit_url(draft_a)).content.decode()
    assert 'id="config-fields"' in page and 'id="quote-panel"' in page and 'id="preview"' in page
    tried = {key: str(value) for key, value in template_spec_for(draft_a).defaults().items()}
    tried.update(tried="1", width="90")
    response = studio.post(f"/designer/studio/{draft_a.pk}/preview/", tried, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="config-fields"' in body and "Delivery by" in body, "a price and a date from the network"
    assert "Add to cart" not in body


def test_the_coverage_names_what_the_network_cannot_make(studio, draft_a):
    body = studio.get(f"/designer/studio/{draft_a.pk}/coverage/").content.decode()
    assert "cannot be made" in body, "alpha has no workshops in this test: nothing can be made"
    small_network()
    body = studio.get(f"/designer/studio/{draft_a.pk}/coverage/").content.decode()
    assert "can be made" in body


def test_submit_then_approval_freezes_the_version_and_a_new_version_is_a_draft(
    studio, draft_a, tenant_a, make_user
):
    response = studio.post(f"/designer/studio/{draft_a.pk}/submit/", {"note": "First version"})
    assert response.status_code == 302
    draft_a.refresh_from_db()
    assert (draft_a.status, draft_a.submission_note) == (TemplateStatus.IN_REVIEW, "First version")
    template_review(actor=make_user(tenant_a, Role.STAFF), template=draft_a, decision=APPROVE)
    data = editor_data(studio.get(edit_url(draft_a)))
    data["name"] = "Sneaky rename"
    response = studio.post(edit_url(draft_a), data)
    assert "Saved." not in response.content.decode(), "nothing was saved"
    response = studio.post(edit_url(draft_a), data, HTTP_HX_REQUEST="true")
    assert "HX-Trigger" not in response, "no 'studio-saved' for a version that was not saved"
    draft_a.refresh_from_db()
    assert draft_a.name == "Designer stand", "a published version never changes"
    response = studio.post(f"/designer/studio/{draft_a.pk}/new-version/")
    v2 = ProductTemplate.objects.get(family=draft_a.family, version=2)
    assert response["Location"] == edit_url(v2) and v2.status == TemplateStatus.DRAFT
    studio.post(f"/designer/studio/{draft_a.pk}/retire/")
    draft_a.refresh_from_db()
    assert draft_a.status == TemplateStatus.RETIRED


def test_submitting_a_draft_with_problems_is_refused_with_them(studio, studio_designer, studio_member):
    studio.post("/designer/studio/new/", {"name": "Empty", "category": "Tables"})
    template = ProductTemplate.objects.get(designer=studio_designer, slug="empty")
    response = studio.post(f"/designer/studio/{template.pk}/submit/", follow=True)
    assert "A template needs at least one parameter." in response.content.decode()
    template.refresh_from_db()
    assert template.status == TemplateStatus.DRAFT
