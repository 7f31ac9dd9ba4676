"""Orders pin the product version they bought: a new version published after the order changes nothing of it."""

import pytest

from apps.accounts.roles import Role
from apps.catalog.compile import compile_operations
from apps.catalog.definitions import template_definition
from apps.catalog.drafts import template_draft_update
from apps.catalog.models import ProductTemplate, TemplateStatus
from apps.catalog.selectors import template_get_active, template_spec_for
from apps.catalog.validation import clean_values
from apps.catalog.versions import template_staff_publish, template_version_create

pytestmark = pytest.mark.django_db


def test_an_order_placed_on_v1_keeps_v1_after_v2_is_published(
    awaiting, network_a, tenant_a, make_user, signed_in
):
    staff = make_user(tenant_a, Role.STAFF)
    v1 = network_a["dining-table"]
    line = awaiting.lines.select_related("design_version__design").get()
    v2 = template_version_create(actor=staff, template=v1)
    definition = template_definition(v2)
    definition["parameters"][0]["label"] = "Table width (new)"
    top = next(step for step in definition["steps"] if step["key"] == "top")
    top["duration"] = "99"
    template_draft_update(actor=staff, template=v2, definition=definition)
    template_staff_publish(actor=staff, template=v2)

    assert template_get_active(slug="dining-table").pk == v2.pk, "new customers get v2"
    pinned = ProductTemplate.objects.get(pk=line.design_version.design.template_id)
    assert (pinned.pk, pinned.status, pinned.version) == (v1.pk, TemplateStatus.SUPERSEDED, 1)
    # v1 still compiles to exactly what the order bought
    spec = template_spec_for(pinned)
    values, errors = clean_values(spec, line.design_version.values)
    assert not errors
    assert [op.as_dict() for op in compile_operations(spec, values)] == line.design_version.operations
    assert (
        next(op for op in line.design_version.operations if op["step_key"] == "top")["duration_minutes"] != 99
    )
    # and the customer's design shows v1's words
    page = signed_in.get(f"/designs/{line.design_version.design_id}/").content.decode()
    assert "Table width (new)" not in page
    assert spec.parameters[0].label in page
