"""The hidden part templates of uploads: in every network from the data migration, never in the catalogue."""

import pytest
from django.core.exceptions import ValidationError

from apps.catalog.models import ProductTemplate
from apps.catalog.selectors import template_categories, template_list_active
from apps.processes.models import Process, ProcessRate, RateKind

pytestmark = pytest.mark.django_db


def test_every_network_has_one_part_template_per_kind(in_tenant_a):
    kinds = sorted(ProductTemplate.objects.exclude(part_kind="").values_list("part_kind", flat=True))
    assert kinds == ["mesh", "profile", "solid"]


def test_part_templates_are_not_in_the_catalogue_listing_or_the_api(in_tenant_a, client_a):
    assert not template_list_active().exclude(part_kind="").exists()
    assert "Uploaded parts" not in template_categories()
    slugs = [row["slug"] for row in client_a.get("/api/v1/catalog/templates/").json()["results"]]
    assert not any(slug.startswith("part-") for slug in slugs)
    assert client_a.get("/api/v1/catalog/templates/part-mesh/").status_code == 404
    assert client_a.get("/catalog/part-mesh/").status_code == 404


def test_a_rate_must_carry_the_figures_of_its_kind(in_tenant_a):
    """A cutting rate without a thickness, a cut speed or a pierce time is refused field by field."""
    laser = Process.objects.get(code="laser_cutting")
    rate = ProcessRate(process=laser, kind=RateKind.CUTTING, material="steel")
    with pytest.raises(ValidationError) as caught:
        rate.full_clean()
    assert {"thickness_mm", "cut_mm_per_minute", "pierce_seconds"} <= set(caught.value.message_dict)


def test_tolerance_factors_name_known_classes(in_tenant_a):
    mill = Process.objects.get(code="cnc_milling")
    rate = ProcessRate(
        process=mill,
        kind=RateKind.MACHINING,
        material="aluminium",
        removal_cm3_per_hour=60,
        density_g_per_cm3="2.7",
        tolerance_factors={"very tight": 2},
    )
    with pytest.raises(ValidationError) as caught:
        rate.full_clean()
    assert "tolerance_factors" in caught.value.message_dict
