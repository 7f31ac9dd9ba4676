"""The back office's review of product versions: the queue, a version's diff against the published one and its
checks, and the decision (approve with notes publishes; request changes needs notes); the designer is told."""

import pytest

from apps.accounts.roles import Role
from apps.catalog.definitions import template_definition
from apps.catalog.drafts import template_draft_update
from apps.catalog.models import TemplateStatus
from apps.catalog.versions import APPROVE, template_review, template_submit, template_version_create
from apps.outbox.models import OutboxMessage
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(draft_a, studio_designer, studio_member):
    return template_submit(
        actor=studio_member, designer=studio_designer, template=draft_a, note="Please look"
    )


@pytest.fixture
def second_version(submitted, studio_designer, studio_member, tenant_a, make_user):
    template_review(actor=make_user(tenant_a, Role.STAFF), template=submitted, decision=APPROVE)
    v2 = template_version_create(actor=studio_member, designer=studio_designer, template=submitted)
    definition = template_definition(v2)
    definition["parameters"][2]["max"] = 140
    definition["name"] = "Designer stand XL"
    template_draft_update(actor=studio_member, designer=studio_designer, template=v2, definition=definition)
    return template_submit(actor=studio_member, designer=studio_designer, template=v2, note="Wider")


def test_the_queue_lists_versions_waiting_for_review(staff_a, submitted):
    page = staff_a.get("/backoffice/reviews/").content.decode()
    assert f'id="review-{submitted.pk}"' in page and "Nordic Forms" in page and "Please look" in page


def test_the_review_page_shows_the_changes_against_the_published_version_and_the_checks(
    staff_a, second_version
):
    page = staff_a.get(f"/backoffice/reviews/{second_version.pk}/").content.decode()
    assert "Changes against the published v1" in page
    assert "parameters · width" in page and "<code>120</code>" in page and "<code>140</code>" in page
    assert "Designer stand XL" in page
    assert "All checks pass" in page


def test_approving_publishes_and_tells_the_designer(staff_a, second_version, studio_member):
    response = staff_a.post(
        f"/backoffice/reviews/{second_version.pk}/", {"decision": "approve", "notes": "Good"}
    )
    assert response.status_code == 302
    second_version.refresh_from_db()
    assert (second_version.status, second_version.review_notes) == (TemplateStatus.PUBLISHED, "Good")
    mail = OutboxMessage.objects.get(
        dedup_key__startswith=f"email:template_review:{second_version.pk}:approved"
    )
    assert studio_member.email in mail.kwargs["to"] and "is now published" in mail.kwargs["body"]


def test_requesting_changes_needs_notes(staff_a, submitted):
    response = staff_a.post(
        f"/backoffice/reviews/{submitted.pk}/", {"decision": "request_changes", "notes": ""}
    )
    assert response.status_code == 400
    assert "Tell the designer what to change." in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == TemplateStatus.IN_REVIEW
    staff_a.post(f"/backoffice/reviews/{submitted.pk}/", {"decision": "request_changes", "notes": "Thicker"})
    submitted.refresh_from_db()
    assert submitted.status == TemplateStatus.CHANGES_REQUESTED


def test_a_decision_on_a_version_not_in_review_is_refused(staff_a, draft_a):
    response = staff_a.post(f"/backoffice/reviews/{draft_a.pk}/", {"decision": "approve"})
    assert response.status_code == 400 and "not in review" in response.content.decode()
    draft_a.refresh_from_db()
    assert draft_a.status == TemplateStatus.DRAFT


def test_only_staff_review(finance_a, signed_in, submitted):
    for client in (finance_a, signed_in):
        assert client.get("/backoffice/reviews/").status_code == 404
        assert client.post(f"/backoffice/reviews/{submitted.pk}/", {"decision": "approve"}).status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == TemplateStatus.IN_REVIEW


def test_reviews_are_walled_by_network(client_b, tenant_b, make_user, submitted):
    from apps.accounts.roles import Role

    sign_in(client_b, tenant_b, make_user(tenant_b, Role.STAFF))
    assert client_b.get(f"/backoffice/reviews/{submitted.pk}/").status_code == 404
