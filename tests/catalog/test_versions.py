"""Versions and review of product templates (apps.catalog.versions, apps.catalog.drafts): published versions never
change, an edit is a new draft with every row copied, the review state machine allows only its own steps, approval
supersedes the published version, and only the author (or staff, for the network's own products) acts."""

import copy

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apps.accounts.roles import Role
from apps.catalog.definitions import template_definition
from apps.catalog.drafts import template_draft_create, template_draft_discard, template_draft_update
from apps.catalog.models import Parameter, ProductTemplate, TemplateStatus
from apps.catalog.selectors import template_get_active, template_list_active
from apps.catalog.versions import (
    APPROVE,
    REQUEST_CHANGES,
    ReviewNotesInvalid,
    TemplateFrozen,
    TemplateHasIssues,
    TemplateNotFound,
    TemplateTransitionRefused,
    template_require_editable,
    template_retire,
    template_review,
    template_staff_publish,
    template_submit,
    template_version_create,
)
from apps.demo.catalog_templates import PHONE_STAND
from apps.outbox.models import OutboxMessage
from tests.designers.factories import make_designer, make_designer_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(tenant_a, make_user):
    return make_user(tenant_a, Role.STAFF)


@pytest.fixture
def designer(demo_catalog_a):
    return make_designer("Nordic Forms")


@pytest.fixture
def member(designer):
    return make_designer_member(designer, email="ines@nordic.test")


def stand_definition(slug="designer-stand"):
    definition = copy.deepcopy(PHONE_STAND)
    definition["slug"] = slug
    definition["name"] = "Designer stand"
    return definition


@pytest.fixture
def draft(member, designer):
    return template_draft_create(actor=member, designer=designer, definition=stand_definition())


@pytest.fixture
def published(draft, member, designer, staff):
    template_submit(actor=member, designer=designer, template=draft, note="First version")
    return template_review(actor=staff, template=draft, decision=APPROVE, notes="Looks good")


def test_existing_templates_are_published_version_1_each_of_its_own_family(demo_catalog_a):
    templates = list(demo_catalog_a.values())
    assert {(t.status, t.version) for t in templates} == {(TemplateStatus.PUBLISHED, 1)}
    assert len({t.family for t in templates}) == len(templates)


def test_a_new_version_copies_every_row_and_leaves_the_published_one_alone(demo_catalog_a, staff):
    table = demo_catalog_a["dining-table"]
    draft = template_version_create(actor=staff, template=table)
    assert (draft.family, draft.version, draft.status) == (table.family, 2, TemplateStatus.DRAFT)
    before, after = template_definition(table), template_definition(draft)
    assert after == before
    assert draft.steps.count() == table.steps.count() == 7
    assert set(draft.parameters.values_list("pk", flat=True)).isdisjoint(
        table.parameters.values_list("pk", flat=True)
    )
    table.refresh_from_db()
    assert table.status == TemplateStatus.PUBLISHED


def test_a_published_version_is_frozen_for_every_writer(published, member, designer):
    with pytest.raises(TemplateFrozen):
        template_require_editable(published)
    with pytest.raises(TemplateFrozen):
        template_draft_update(
            actor=member, designer=designer, template=published, definition=stand_definition()
        )
    with pytest.raises(TemplateTransitionRefused):
        template_submit(actor=member, designer=designer, template=published)


def test_one_version_is_open_at_a_time(published, member, designer):
    template_version_create(actor=member, designer=designer, template=published)
    with pytest.raises(TemplateTransitionRefused):
        template_version_create(actor=member, designer=designer, template=published)


def test_approval_publishes_and_supersedes_and_the_storefront_shows_only_the_new_version(
    published, member, designer, staff
):
    v2 = template_version_create(actor=member, designer=designer, template=published)
    definition = template_definition(v2)
    definition["name"] = "Designer stand, taller"
    template_draft_update(actor=member, designer=designer, template=v2, definition=definition)
    assert template_get_active(slug="designer-stand").pk == published.pk, (
        "a draft changes nothing for customers"
    )
    template_submit(actor=member, designer=designer, template=v2, note="Taller")
    template_review(actor=staff, template=v2, decision=APPROVE)
    published.refresh_from_db()
    v2.refresh_from_db()
    assert (published.status, v2.status) == (TemplateStatus.SUPERSEDED, TemplateStatus.PUBLISHED)
    assert template_get_active(slug="designer-stand").pk == v2.pk
    listed = [t.pk for t in template_list_active() if t.family == v2.family]
    assert listed == [v2.pk]


def test_request_changes_needs_notes_and_sends_the_version_back(draft, member, designer, staff):
    template_submit(actor=member, designer=designer, template=draft)
    with pytest.raises(ReviewNotesInvalid):
        template_review(actor=staff, template=draft, decision=REQUEST_CHANGES, notes="  ")
    back = template_review(actor=staff, template=draft, decision=REQUEST_CHANGES, notes="Round the corners")
    assert (back.status, back.review_notes) == (TemplateStatus.CHANGES_REQUESTED, "Round the corners")
    # the author edits it and submits again
    template_draft_update(actor=member, designer=designer, template=back, definition=stand_definition())
    assert template_submit(actor=member, designer=designer, template=back).status == TemplateStatus.IN_REVIEW


@pytest.mark.parametrize(
    ("status", "action", "allowed"),
    [
        (TemplateStatus.DRAFT, "submit", True),
        (TemplateStatus.CHANGES_REQUESTED, "submit", True),
        (TemplateStatus.IN_REVIEW, "submit", False),
        (TemplateStatus.PUBLISHED, "submit", False),
        (TemplateStatus.SUPERSEDED, "submit", False),
        (TemplateStatus.RETIRED, "submit", False),
        (TemplateStatus.IN_REVIEW, "approve", True),
        (TemplateStatus.DRAFT, "approve", False),
        (TemplateStatus.CHANGES_REQUESTED, "approve", False),
        (TemplateStatus.PUBLISHED, "approve", False),
        (TemplateStatus.SUPERSEDED, "approve", False),
        (TemplateStatus.RETIRED, "approve", False),
        (TemplateStatus.IN_REVIEW, "request_changes", True),
        (TemplateStatus.DRAFT, "request_changes", False),
        (TemplateStatus.PUBLISHED, "request_changes", False),
        (TemplateStatus.PUBLISHED, "retire", True),
        (TemplateStatus.DRAFT, "retire", False),
        (TemplateStatus.IN_REVIEW, "retire", False),
        (TemplateStatus.SUPERSEDED, "retire", False),
        (TemplateStatus.RETIRED, "retire", False),
    ],
)
def test_the_review_state_machine(draft, member, designer, staff, status, action, allowed):
    ProductTemplate.objects.filter(pk=draft.pk).update(status=status)
    draft.refresh_from_db()
    steps = {
        "submit": lambda: template_submit(actor=member, designer=designer, template=draft),
        "approve": lambda: template_review(actor=staff, template=draft, decision=APPROVE),
        "request_changes": lambda: template_review(
            actor=staff, template=draft, decision=REQUEST_CHANGES, notes="Change it"
        ),
        "retire": lambda: template_retire(actor=member, designer=designer, template=draft),
    }
    if allowed:
        steps[action]()
    else:
        with pytest.raises(TemplateTransitionRefused):
            steps[action]()
        draft.refresh_from_db()
        assert draft.status == status, "a refused step changes nothing"


def test_a_template_with_problems_cannot_be_submitted(member, designer):
    definition = stand_definition()
    definition["steps"][0]["duration"] = "25 + nowhere"
    draft = template_draft_create(actor=member, designer=designer, definition=definition)
    with pytest.raises(TemplateHasIssues) as error:
        template_submit(actor=member, designer=designer, template=draft)
    assert error.value.field_errors == {"steps[0].duration": ["Unknown name nowhere."]}
    draft.refresh_from_db()
    assert draft.status == TemplateStatus.DRAFT


def test_a_malformed_row_is_refused_with_its_place_and_nothing_is_written(draft, member, designer):
    definition = template_definition(draft)
    definition["parameters"][0]["min"] = "lots"
    definition["steps"][0]["process"] = "teleportation"
    definition["name"] = "Renamed"
    with pytest.raises(ValidationError) as error:
        template_draft_update(actor=member, designer=designer, template=draft, definition=definition)
    assert set(error.value.message_dict) == {"parameters[0].min", "steps[0].process"}
    draft.refresh_from_db()
    assert draft.name == "Designer stand"


def test_another_designer_and_customers_are_told_the_template_does_not_exist(
    draft, published, tenant_a, make_user, staff
):
    other = make_designer("Other Studio")
    other_member = make_designer_member(other)
    customer = make_user(tenant_a, Role.CUSTOMER)
    with pytest.raises(TemplateNotFound):
        template_submit(actor=other_member, designer=other, template=draft)
    with pytest.raises(TemplateNotFound):
        template_version_create(actor=other_member, designer=other, template=published)
    with pytest.raises(TemplateNotFound):
        template_retire(actor=customer, designer=None, template=published)
    with pytest.raises(TemplateNotFound):
        template_review(actor=customer, template=draft, decision=APPROVE)
    with pytest.raises(TemplateNotFound):  # a designer's member claiming another designer
        template_draft_update(
            actor=other_member, designer=draft.designer, template=draft, definition=stand_definition()
        )
    with pytest.raises(TemplateNotFound):  # staff do not author a designer's product
        template_draft_update(actor=staff, designer=None, template=draft, definition=stand_definition())


def test_a_slug_of_another_product_is_refused(member, designer, demo_catalog_a):
    with pytest.raises(ValidationError) as error:
        template_draft_create(
            actor=member, designer=designer, definition=stand_definition(slug="phone-stand")
        )
    assert "slug" in error.value.message_dict


def test_submitting_tells_staff_and_the_review_tells_the_designer(draft, member, designer, staff):
    template_submit(actor=member, designer=designer, template=draft, note="Please look")
    to_staff = OutboxMessage.objects.get(dedup_key__startswith=f"email:template_review:{draft.pk}:submitted")
    assert staff.email in to_staff.kwargs["to"]
    assert f"/backoffice/reviews/{draft.pk}/" in to_staff.kwargs["body"]
    template_review(actor=staff, template=draft, decision=REQUEST_CHANGES, notes="Thicker base, please")
    to_designer = OutboxMessage.objects.get(
        dedup_key__startswith=f"email:template_review:{draft.pk}:changes_requested"
    )
    assert set(to_designer.kwargs["to"]) == {member.email, designer.contact_email}
    assert "Thicker base, please" in to_designer.kwargs["body"]


def test_retiring_takes_the_product_off_the_storefront(published, member, designer):
    template_retire(actor=member, designer=designer, template=published)
    assert not template_list_active().filter(family=published.family).exists()
    # a retired product can come back as a new version, through review
    v2 = template_version_create(actor=member, designer=designer, template=published)
    assert v2.version == 2 and v2.status == TemplateStatus.DRAFT


def test_a_draft_is_discarded_but_a_published_version_is_not(draft, published, member, designer):
    with pytest.raises(TemplateFrozen):
        template_draft_discard(actor=member, designer=designer, template=published)
    v2 = template_version_create(actor=member, designer=designer, template=published)
    template_draft_discard(actor=member, designer=designer, template=v2)
    assert not ProductTemplate.objects.filter(pk=v2.pk).exists()


def test_staff_publish_the_networks_own_product_in_one_step(demo_catalog_a, staff, draft):
    table = demo_catalog_a["dining-table"]
    v2 = template_version_create(actor=staff, template=table)
    template_staff_publish(actor=staff, template=v2)
    table.refresh_from_db()
    v2.refresh_from_db()
    assert (table.status, v2.status) == (TemplateStatus.SUPERSEDED, TemplateStatus.PUBLISHED)
    with pytest.raises(TemplateTransitionRefused):  # a designer's draft goes through review
        template_staff_publish(actor=staff, template=draft)


def test_the_database_refuses_to_change_a_designers_published_version(published):
    """The last guard, below every service: raw updates of the row and its child rows are refused."""
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductTemplate.objects.filter(pk=published.pk).update(margin_percent=99)
    with pytest.raises(IntegrityError), transaction.atomic():
        published.parameters.filter(key="width").update(max_value=999)
    with pytest.raises(IntegrityError), transaction.atomic():
        Parameter.objects.create(template=published, key="extra", label="Extra", kind="text", max_length=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        published.steps.filter(key="packing").delete()
    # its status moves on, and staff may hide or reorder it
    ProductTemplate.objects.filter(pk=published.pk).update(active=False, position=3)
    ProductTemplate.objects.filter(pk=published.pk).update(status=TemplateStatus.RETIRED)
    published.refresh_from_db()
    assert (published.status, published.active, published.margin_percent) == (
        TemplateStatus.RETIRED,
        False,
        30,
    )


def test_a_designers_draft_stays_writable_for_the_database(draft):
    ProductTemplate.objects.filter(pk=draft.pk).update(margin_percent=40)
    draft.parameters.filter(key="width").update(max_value=130)
    assert draft.parameters.get(key="width").max_value == 130
