"""The demo catalog: seeded idempotently, every template valid at its defaults."""

import pytest

from apps.catalog.demo import catalog_demo_seed
from apps.catalog.models import Parameter, Process, ProductTemplate, RoutingStep
from apps.catalog.validation import configuration_validate

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
    assert counts[0] == 3


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
