"""The definition cache (apps.catalog.spec_cache): template_get_active reads a template in one statement and its
definition from the process's cache, keyed by a fingerprint of the definition's rows; the spec it serves equals
one built from the rows, any change to any of those rows (by whatever path, signals or not) shows on the next
read, and one network never reads another's entry."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.catalog import spec_cache
from apps.catalog.models import Constraint, DerivedValue, Parameter, ProductTemplate, RoutingStep
from apps.catalog.selectors import template_get_active, template_get_for_review, template_spec_for
from apps.processes.models import Process

pytestmark = pytest.mark.django_db

SLUGS = ("dining-table", "bookshelf", "phone-stand")


@pytest.fixture(autouse=True)
def _empty_cache():
    spec_cache._entries.clear()
    yield
    spec_cache._entries.clear()


def _read(slug: str):
    with CaptureQueriesContext(connection) as queries:
        template = template_get_active(slug=slug)
    return template, len(queries)


def _spec_from_rows(template: ProductTemplate):
    """The spec built from the rows themselves (prefetched), not through the cache."""
    return template_spec_for(template_get_for_review(template_id=template.pk))


@pytest.mark.parametrize("slug", SLUGS)
def test_the_definition_is_read_once_then_served_from_the_cache_as_built_from_its_rows(demo_catalog_a, slug):
    first, first_queries = _read(slug)
    second, second_queries = _read(slug)
    assert first_queries == 1 + 4, "the template, then its four kinds of rows (a miss)"
    assert second_queries == 1, "the template with its fingerprint; the definition from the cache"
    assert template_spec_for(second) == template_spec_for(first) == _spec_from_rows(second)
    assert template_spec_for(second).parameters and template_spec_for(second).steps


def test_the_fingerprint_postgresql_computes_is_the_one_of_the_rows_read(demo_catalog_a):
    """Else every request would miss (and read the rows again)."""
    for slug in SLUGS:
        template = template_get_active(slug=slug)
        fingerprint, _ = spec_cache._read(template.pk)
        assert fingerprint == getattr(template, spec_cache.FINGERPRINT)


def _first(model, template):
    return model.objects.filter(template=template).order_by("position", "id").first()


# Each row a definition is made of, changed by a queryset update(): no signal, no save(), no updated_at.
CHANGES = {
    "parameter": (
        lambda t: Parameter.objects.filter(pk=_first(Parameter, t).pk).update(label="Renamed"),
        lambda spec: spec.parameters[0].label == "Renamed",
    ),
    "derived value": (
        lambda t: DerivedValue.objects.filter(pk=_first(DerivedValue, t).pk).update(formula="width * 2"),
        lambda spec: spec.derived[0].formula == "width * 2",
    ),
    "constraint": (
        lambda t: Constraint.objects.filter(pk=_first(Constraint, t).pk).update(message="Changed."),
        lambda spec: spec.constraints[0].message == "Changed.",
    ),
    "routing step": (
        lambda t: RoutingStep.objects.filter(pk=_first(RoutingStep, t).pk).update(name="Renamed step"),
        lambda spec: spec.steps[0].name == "Renamed step",
    ),
    "a step's process": (
        lambda t: Process.objects.filter(pk=_first(RoutingStep, t).process_id).update(max_length_mm=1234),
        lambda spec: spec.steps[0].process.max_size_mm[0] == 1234,
    ),
    "a removed parameter": (
        lambda t: Parameter.objects.filter(template=t, key="engraving").delete(),
        lambda spec: spec.parameter("engraving") is None,
    ),
}


@pytest.mark.parametrize("change", CHANGES)
def test_any_change_to_the_definitions_rows_shows_on_the_next_read(demo_catalog_a, change):
    """The network's own published products are changed in place by fixtures and updates, and a process by the
    admin: the fingerprint follows the rows, so the cached spec never outlives them."""
    alter, shows = CHANGES[change]
    template = demo_catalog_a["dining-table"]
    before = template_spec_for(template_get_active(slug="dining-table"))
    assert not shows(before)
    alter(template)
    after, queries = _read("dining-table")
    assert shows(template_spec_for(after))
    assert queries == 1 + 4, "a new fingerprint: read again"
    assert template_spec_for(after) == _spec_from_rows(after)


def test_another_network_never_reads_the_entry(demo_catalog_a, tenant_a, tenant_b):
    """Alpha's entry is asked for from beta with the very template id and fingerprint it is filed under: beta
    reads its own rows (none for that id), never alpha's definition."""
    table = template_get_active(slug="dining-table")
    alpha_parts = spec_cache.spec_parts_cached(table)
    assert alpha_parts.parameters
    connection.set_tenant(tenant_b)
    try:
        same_key = ProductTemplate(pk=table.pk)
        setattr(same_key, spec_cache.FINGERPRINT, getattr(table, spec_cache.FINGERPRINT))
        with CaptureQueriesContext(connection) as queries:
            beta_parts = spec_cache.spec_parts_cached(same_key)
        assert len(queries) >= 4, "read from beta's schema"
        assert beta_parts != alpha_parts
        assert not any(p.key == "width" for p in beta_parts.parameters)
    finally:
        connection.set_tenant(tenant_a)


def test_the_cache_keeps_at_most_its_bound(demo_catalog_a, monkeypatch):
    monkeypatch.setattr(spec_cache, "MAX_ENTRIES", 2)
    for slug in SLUGS:
        template_get_active(slug=slug)
    assert len(spec_cache._entries) == 2
    _, queries = _read("dining-table")
    assert queries == 1 + 4, "the least recently used entry went first"
