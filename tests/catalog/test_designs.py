"""Designs: validated on save, versioned (edits never change an earlier version), shareable by a secret link."""

import uuid

import pytest
from django.http import Http404

from apps.accounts.roles import Role
from apps.catalog.models import Design, DesignVersion
from apps.catalog.selectors import design_get_by_share_token, design_get_for_owner
from apps.catalog.services import InvalidDesignName, design_create, design_update
from apps.catalog.validation import InvalidConfiguration

pytestmark = pytest.mark.django_db


def test_a_design_is_saved_as_version_one_with_its_operations(demo_catalog_a, customer):
    table = demo_catalog_a["dining-table"]
    design = design_create(
        owner=customer, template=table, name="Kitchen table", values={**_defaults(table), "width": 2000}
    )
    version = design.current_version
    assert (version.number, version.values["width"]) == (1, 2000)
    assert isinstance(version.pk, uuid.UUID)
    assert [op["step_key"] for op in version.operations][:2] == ["top", "legs"]
    assert len(design.share_token) >= 40


def test_invalid_values_save_nothing(demo_catalog_a, customer):
    table = demo_catalog_a["dining-table"]
    with pytest.raises(InvalidConfiguration) as error:
        design_create(
            owner=customer, template=table, name="Too big", values={**_defaults(table), "width": 9000}
        )
    assert "width" in error.value.errors
    with pytest.raises(InvalidDesignName):
        design_create(owner=customer, template=table, name="  ", values=_defaults(table))
    assert Design.objects.count() == 0 and DesignVersion.objects.count() == 0


def test_editing_makes_a_new_version_and_keeps_the_old_one(demo_catalog_a, customer):
    table = demo_catalog_a["dining-table"]
    design = design_create(owner=customer, template=table, name="Table", values=_defaults(table))
    first = design.current_version
    second = design_update(design=design, values={**_defaults(table), "top_material": "ash"})
    assert second.number == 2 and second.pk != first.pk
    first.refresh_from_db()
    assert first.values["top_material"] == "oak", "an order pointing at v1 still sees v1"
    design.refresh_from_db()
    assert design.current_version_id == second.pk
    same = design_update(design=design, values={**_defaults(table), "top_material": "ash"})
    assert same.pk == second.pk, "saving unchanged values makes no new version"
    renamed = design_update(design=design, name="Ash table")
    assert renamed.pk == second.pk
    design.refresh_from_db()
    assert design.name == "Ash table"
    with pytest.raises(InvalidConfiguration):
        design_update(design=design, values={**_defaults(table), "leg_style": "curly"})
    assert design.versions.count() == 2


def test_access_helpers_hide_other_customers_designs(demo_catalog_a, customer, tenant_a, make_user):
    table = demo_catalog_a["dining-table"]
    design = design_create(owner=customer, template=table, name="Mine", values=_defaults(table))
    other = make_user(tenant_a, Role.CUSTOMER)
    assert design_get_for_owner(owner=customer, design_id=design.pk) == design
    with pytest.raises(Http404):
        design_get_for_owner(owner=other, design_id=design.pk)
    with pytest.raises(Http404):
        design_get_for_owner(owner=customer, design_id=design.pk + 1000)
    assert design_get_by_share_token(token=design.share_token) == design
    with pytest.raises(Http404):
        design_get_by_share_token(token=design.share_token[:-1])


def _defaults(template):
    from apps.catalog.selectors import template_spec_for

    return template_spec_for(template).defaults()
