"""Catalog fixtures: the demo catalog seeded inside a network's schema (rolled back after each test)."""

import pytest

from apps.catalog.selectors import template_spec_for
from apps.demo.catalog import catalog_demo_seed


@pytest.fixture
def demo_catalog_a(in_tenant_a):
    """The demo templates in network alpha, by slug; the connection stays on alpha's schema."""
    return {template.slug: template for template in catalog_demo_seed()}


@pytest.fixture
def demo_specs(demo_catalog_a):
    return {slug: template_spec_for(template) for slug, template in demo_catalog_a.items()}
