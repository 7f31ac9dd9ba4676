"""Versions and review of product templates: the one place a template's status changes.

Every row of ProductTemplate is one version of a product (its `family`). The life of a version:

    draft ──submit──▶ in_review ──approve──▶ published ──(next version approved)──▶ superseded
      ▲                  │                       │
      └──changes_requested◀─request changes      └──retire──▶ retired

Only a draft or a version sent back with changes requested is edited (`is_editable`); a published version is
never changed again: an edit is `template_version_create`, a new draft row with every child row copied, which goes
through review. Approval publishes it and supersedes the previous published version, which stays for the orders
pinned to it (OrderLine → DesignVersion → Design → that very row).

Who acts: the template's author — a member of its designer (the caller passes the `designer` it resolved for the
signed-in user), or network staff for the network's own templates (designer null) — and staff as reviewers.
Anyone else is told the template does not exist (TemplateNotFound, a 404), so one designer cannot even learn that
another's template exists. The network's own templates are reviewed by the network itself: staff publish them in
one step (`template_staff_publish`), with the same checks and the same superseding.
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from apps.accounts.access import is_network_staff, is_signed_in
from apps.accounts.selectors import staff_email_list
from apps.catalog.definitions import issue_location
from apps.catalog.fixed_parts import template_issues
from apps.catalog.models import (
    EDITABLE_STATUSES,
    OPEN_STATUSES,
    Constraint,
    DerivedValue,
    Parameter,
    ProductTemplate,
    RoutingStep,
    TemplateStatus,
)
from apps.catalog.template_checks import Issue
from apps.core.errors import Conflict, InvalidInput
from apps.outbox.services import outbox_enqueue_email
from apps.tenants.selectors import tenant_current, tenant_domain_url

CHILD_MODELS = (Parameter, DerivedValue, Constraint, RoutingStep)
NOTES_MAX = 4000
# Fields that belong to one version's review, never copied into the next version.
_REVIEW_FIELDS = (
    "submission_note",
    "review_notes",
    "submitted_at",
    "submitted_by",
    "reviewed_at",
    "reviewed_by",
)


class TemplateNotFound(ObjectDoesNotExist):
    """Missing, or not the actor's: the same answer (404) either way."""


class TemplateFrozen(Conflict):
    """The version is not a draft: it cannot change (409)."""


class TemplateTransitionRefused(Conflict):
    """The review state machine does not allow this step from the version's status (409)."""


class TemplateHasIssues(InvalidInput):
    """The template's own checks fail: it cannot be submitted or published (400, the issues by section)."""

    def __init__(self, issues: list[Issue]):
        super().__init__("The template has problems to fix first.")
        self.issues = issues

    @property
    def field_errors(self) -> dict:
        errors: dict[str, list[str]] = {}
        for issue in self.issues:
            errors.setdefault(issue_location(issue), []).append(issue.message)
        return errors


class ReviewNotesInvalid(InvalidInput):
    @property
    def field_errors(self) -> dict:
        return {"notes": [str(self)]}


def acts_for_designer(actor, designer) -> bool:
    """`actor` is a signed-in member of `designer` (asked of the database, not of the caller's word)."""
    return designer is not None and is_signed_in(actor) and designer.members.filter(user_id=actor.pk).exists()


def is_template_author(*, actor, designer, template: ProductTemplate) -> bool:
    """A member of the designer that owns `template`, acting for it; or staff for the network's own products."""
    if template.designer_id is not None:
        return (
            designer is not None
            and designer.pk == template.designer_id
            and acts_for_designer(actor, designer)
        )
    return designer is None and is_network_staff(actor)


def template_require_author(*, actor, designer, template: ProductTemplate) -> None:
    if template.is_part_template or not is_template_author(actor=actor, designer=designer, template=template):
        raise TemplateNotFound("No such template.")


def _require_reviewer(actor) -> None:
    if not is_network_staff(actor):
        raise TemplateNotFound("No such template.")


def _locked(template: ProductTemplate) -> ProductTemplate:
    """The version's row, locked for this transaction (two reviewers, or a reviewer and the author, act in turn)."""
    return ProductTemplate.objects.select_for_update().get(pk=template.pk)


def template_require_editable(template: ProductTemplate) -> None:
    """Every path that changes a template's definition asks this first (studio, API, admin)."""
    if not template.is_editable:
        raise TemplateFrozen(
            f"Version {template.version} is {template.get_status_display().lower()}: published versions never "
            "change; make a new version to edit it."
        )


def _notes(notes: str, *, required: bool) -> str:
    notes = (notes or "").strip()
    if required and not notes:
        raise ReviewNotesInvalid("Tell the designer what to change.")
    if len(notes) > NOTES_MAX:
        raise ReviewNotesInvalid(f"At most {NOTES_MAX} characters.")
    return notes


@transaction.atomic
def template_version_create(*, actor, designer=None, template: ProductTemplate) -> ProductTemplate:
    """A new draft of `template`'s family: a copy of its latest published (or retired) version with every
    parameter, derived value, constraint and routing step, numbered after the family's last version.

    Refused (409) while the family already has a version being edited or reviewed: there is one at a time."""
    template_require_author(actor=actor, designer=designer, template=template)
    family = list(
        ProductTemplate.objects.select_for_update().filter(family=template.family).order_by("version")
    )
    open_version = next((row for row in family if row.status in OPEN_STATUSES), None)
    if open_version is not None:
        raise TemplateTransitionRefused(
            f"Version {open_version.version} is already {open_version.get_status_display().lower()}; "
            "finish or discard it first."
        )
    source = next(
        (row for row in reversed(family) if row.status in (TemplateStatus.PUBLISHED, TemplateStatus.RETIRED)),
        None,
    )
    if source is None:
        raise TemplateTransitionRefused("Only a published or retired product gets a new version.")
    return _copy_as_draft(source=source, version=family[-1].version + 1)


def _copy_as_draft(*, source: ProductTemplate, version: int) -> ProductTemplate:
    draft = ProductTemplate.objects.get(pk=source.pk)
    draft.pk = None
    draft._state.adding = True
    draft.version = version
    draft.status = TemplateStatus.DRAFT
    for field in _REVIEW_FIELDS:
        setattr(draft, field, ProductTemplate._meta.get_field(field).get_default())
    draft.save()
    for model in CHILD_MODELS:
        rows = list(model.objects.filter(template=source).order_by("pk"))
        for row in rows:
            row.pk = None
            row.template = draft
        model.objects.bulk_create(rows)
    return draft


@transaction.atomic
def template_submit(*, actor, designer=None, template: ProductTemplate, note: str = "") -> ProductTemplate:
    """The author sends a draft (or a version with changes requested) for review. The template's checks must
    pass (400 with the issues otherwise); staff are told by e-mail."""
    template_require_author(actor=actor, designer=designer, template=template)
    locked = _locked(template)
    if locked.status not in EDITABLE_STATUSES:
        raise TemplateTransitionRefused(
            f"Version {locked.version} is {locked.get_status_display().lower()}; only a draft is submitted."
        )
    if issues := template_issues(locked):
        raise TemplateHasIssues(issues)
    locked.status = TemplateStatus.IN_REVIEW
    locked.submission_note = _notes(note, required=False)
    locked.submitted_at = timezone.now()
    locked.submitted_by = actor
    locked.save(update_fields=["status", "submission_note", "submitted_at", "submitted_by", "updated_at"])
    _tell(
        to=staff_email_list(),
        kind="submitted",
        template=locked,
        path=reverse("backoffice:template_review", args=[locked.pk]),
    )
    return locked


APPROVE = "approve"
REQUEST_CHANGES = "request_changes"
DECISIONS = (APPROVE, REQUEST_CHANGES)


@transaction.atomic
def template_review(*, actor, template: ProductTemplate, decision: str, notes: str = "") -> ProductTemplate:
    """Staff decide on a version in review: approve (with optional notes) publishes it and supersedes the
    family's published version; request changes (notes required) sends it back to its author, who is told."""
    _require_reviewer(actor)
    if decision not in DECISIONS:
        raise ReviewNotesInvalid(f"Decide one of: {', '.join(DECISIONS)}.")
    notes = _notes(notes, required=decision == REQUEST_CHANGES)
    locked = _locked(template)
    if locked.is_part_template:
        raise TemplateNotFound("No such template.")
    if locked.status != TemplateStatus.IN_REVIEW:
        raise TemplateTransitionRefused(
            f"Version {locked.version} is {locked.get_status_display().lower()}, not in review."
        )
    if decision == APPROVE:
        _publish(locked)
    else:
        locked.status = TemplateStatus.CHANGES_REQUESTED
    locked.review_notes = notes
    locked.reviewed_at = timezone.now()
    locked.reviewed_by = actor
    locked.save(update_fields=["status", "review_notes", "reviewed_at", "reviewed_by", "updated_at"])
    if locked.designer_id is not None:
        _tell(
            to=_author_emails(locked),
            kind="approved" if decision == APPROVE else "changes_requested",
            template=locked,
            path=reverse("designers:studio_edit", args=[locked.pk]),
        )
    return locked


def _publish(locked: ProductTemplate) -> None:
    """Checks once more (a reviewer approves what passes), then supersedes the family's published version.
    A slug another product already uses is refused here, so the storefront's address stays unambiguous."""
    if issues := template_issues(locked):
        raise TemplateHasIssues(issues)
    clash = (
        ProductTemplate.objects.filter(slug=locked.slug, status=TemplateStatus.PUBLISHED)
        .exclude(family=locked.family)
        .exists()
    )
    if clash:
        raise TemplateTransitionRefused(f"Another product already has the address {locked.slug!r}.")
    ProductTemplate.objects.filter(family=locked.family, status=TemplateStatus.PUBLISHED).update(
        status=TemplateStatus.SUPERSEDED, updated_at=timezone.now()
    )
    locked.status = TemplateStatus.PUBLISHED


@transaction.atomic
def template_staff_publish(*, actor, template: ProductTemplate, notes: str = "") -> ProductTemplate:
    """Staff publish a draft of the network's own product: submitting and approving in one step, since the
    network is both author and reviewer. A designer's draft is refused: it goes through review."""
    if template.designer_id is not None:
        raise TemplateTransitionRefused("A designer's version is published by approving its review.")
    submitted = template_submit(actor=actor, designer=None, template=template, note=notes)
    return template_review(actor=actor, template=submitted, decision=APPROVE, notes=notes)


@transaction.atomic
def template_retire(*, actor, designer=None, template: ProductTemplate) -> ProductTemplate:
    """The author (or staff) takes a published product off the storefront. Orders already placed keep it."""
    if not is_network_staff(actor):
        template_require_author(actor=actor, designer=designer, template=template)
    locked = _locked(template)
    if locked.is_part_template:
        raise TemplateNotFound("No such template.")
    if locked.status != TemplateStatus.PUBLISHED:
        raise TemplateTransitionRefused(
            f"Version {locked.version} is {locked.get_status_display().lower()}; only a published product is "
            "retired."
        )
    locked.status = TemplateStatus.RETIRED
    locked.save(update_fields=["status", "updated_at"])
    return locked


def _author_emails(template: ProductTemplate) -> list[str]:
    emails = [getattr(template.submitted_by, "email", "")]
    if template.designer_id is not None:
        emails.append(template.designer.contact_email)
    return emails


def _tell(*, to: list[str], kind: str, template: ProductTemplate, path: str) -> None:
    """An e-mail about a review step, rendered now and written to the outbox in the step's transaction."""
    tenant = tenant_current()
    url = tenant_domain_url(tenant, path=path) if tenant and tenant.get_primary_domain() else path
    context = {
        "template": template,
        "kind": kind,
        "url": url,
        "network_name": getattr(tenant, "name", "Cloud Factory"),
    }
    outbox_enqueue_email(
        to=to,
        subject=render_to_string("email/catalog/review_subject.txt", context),
        body=render_to_string("email/catalog/review.txt", context),
        dedup_key=f"template_review:{template.pk}:{kind}:{template.updated_at.isoformat()}",
    )
