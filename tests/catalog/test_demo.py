"""The demo catalog: seeded idempotently, every template valid at its defaults."""

import pytest

from apps.accounts.roles import Role
from apps.catalog.models import Parameter, ProductTemplate, RoutingStep, TemplateStatus
from apps.catalog.validation import configuration_validate
from apps.catalog.versions import template_version_create
from apps.demo.catalog import catalog_demo_seed
from apps.processes.models import Process

pytestmark = pytest.mark.django_db


def test_every_network_has_the_standard_processes(in_tenant_a):
    """The data migration seeds the taxonomy into the template schema, so cloned networks have it."""
    codes = set(Process.objects.values_list("code", flat=True))
    assert {
        "cnc_milling",
        "laser_cutting",
        "fdm_printing",
        "sla_printing",
        "sheet_bending",
        "welding",
        "powder_coating",
        "painting",
        "upholstery",
        "sewing",
        "assembly",
        "quality_inspection",
        "packaging",
    } <= codes


def test_demo_seed_is_idempotent(in_tenant_a):
    catalog_demo_seed()
    counts = (ProductTemplate.objects.count(), Parameter.objects.count(), RoutingStep.objects.count())
    catalog_demo_seed()
    assert (ProductTemplate.objects.count(), Parameter.objects.count(), RoutingStep.objects.count()) == counts
    assert ProductTemplate.objects.filter(part_kind="").count() == 3
    assert sorted(ProductTemplate.objects.exclude(part_kind="").values_list("part_kind", flat=True)) == [
        "mesh",
        "profile",
        "solid",
    ], "the hidden part templates of uploads, from the data migration"


def test_demo_seed_returns_the_published_version_when_a_draft_shares_its_slug(in_tenant_a, make_user):
    published = {t.slug: t for t in catalog_demo_seed()}["dining-table"]
    staff = make_user(in_tenant_a, Role.STAFF)
    draft = template_version_create(actor=staff, template=published)
    ProductTemplate.objects.filter(pk=draft.pk).update(name="A dining table", position=0)  # sorts first

    again = {t.slug: t for t in catalog_demo_seed()}["dining-table"]

    assert again.pk == published.pk
    assert again.status == TemplateStatus.PUBLISHED


def test_demo_templates_compile_at_their_defaults(demo_specs):
    for slug, spec in demo_specs.items():
        configuration = configuration_validate(spec, spec.defaults())
        assert configuration.operations, slug
        print(
            slug,
            [
                (o.step_key, o.duration_minutes, o.cost_drivers, o.predecessors)
                for o in configuration.operations
            ],
        )


def test_networks_seeded_before_material_drivers_get_them_from_the_migration(demo_catalog_a):
    """The data migration marks the demo steps' materials, leaving a step staff changed alone."""
    from importlib import import_module

    from django.apps import apps

    from apps.demo.catalog_templates import DEMO_TEMPLATES

    migration = import_module("apps.catalog.migrations.0004_routing_step_material_drivers")
    RoutingStep.objects.update(material_drivers="")
    edited = RoutingStep.objects.get(template__slug="dining-table", key="top")
    edited.cost_drivers = {"timber": "100", "machine": "10"}
    edited.save()

    migration.mark_demo_material_drivers(apps, None)

    for definition in DEMO_TEMPLATES:
        for step in definition["steps"]:
            row = RoutingStep.objects.get(template__slug=definition["slug"], key=step["key"])
            if row.pk == edited.pk:
                assert row.material_drivers == ""
            else:
                assert row.material_driver_names == tuple(step.get("material_drivers", ())), step["key"]
