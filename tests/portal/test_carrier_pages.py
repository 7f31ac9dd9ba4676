"""Carrier portal: dashboard, rate card and coverage of the member's own carrier only."""

import pytest
from django_tenants.utils import schema_context

from apps.suppliers.models import Carrier, RateCard
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

PAGES = [
    "/portal/carrier/",
    "/portal/carrier/rate-card/",
    "/portal/carrier/coverage/",
    "/portal/carrier/payouts/",
]
RATE_CARD = {
    "base_fee_minor": "12.50",
    "per_km_minor": "0.55",
    "per_kg_minor": "0.08",
    "max_weight_kg": "750",
}
COVERAGE = {
    "city": "Utrecht",
    "country": "NL",
    "coverage_radius_km": "150",
    "speed_kmh": "70",
    "handling_hours": "0.75",
}


def test_every_page_renders_for_the_carrier(carrier_portal):
    for url in PAGES:
        assert carrier_portal.get(url).status_code == 200, url


def test_the_portal_door_sends_carriers_to_their_dashboard(carrier_portal):
    response = carrier_portal.get("/portal/")
    assert response.status_code == 302 and response["Location"] == "/portal/carrier/"


def test_suppliers_and_strangers_get_404_on_carrier_pages(client_a, tenant_a, supplier_a, make_user):
    sign_in(client_a, tenant_a, supplier_a.user)
    for url in PAGES:
        assert client_a.get(url).status_code == 404, url
    sign_in(client_a, tenant_a, make_user(tenant_a))
    for url in PAGES:
        assert client_a.get(url).status_code == 404, url


def test_carriers_cannot_open_supplier_pages(carrier_portal, supplier_a):
    assert carrier_portal.get(f"/portal/resources/{supplier_a.resource.pk}/edit/").status_code == 404
    assert carrier_portal.get("/portal/resources/").status_code == 404


def test_a_carrier_edits_only_its_own_rate_card(carrier_portal, carrier_a, other_carrier_a, tenant_a):
    response = carrier_portal.post("/portal/carrier/rate-card/", RATE_CARD)
    assert response.status_code == 302
    with schema_context(tenant_a.schema_name):
        mine = RateCard.objects.get(carrier=carrier_a.company)
        assert (mine.base_fee_minor, mine.per_km_minor, mine.per_kg_minor) == (1250, 55, 8)
        assert RateCard.objects.get(carrier=other_carrier_a.company).per_km_minor == 50
    dashboard = carrier_portal.get("/portal/carrier/").content.decode()
    assert "€" in dashboard and "10 km" in dashboard  # example legs priced with the new card


def test_negative_rates_are_refused_inline(carrier_portal, carrier_a, tenant_a):
    response = carrier_portal.post(
        "/portal/carrier/rate-card/", {**RATE_CARD, "per_km_minor": "-0.10"}, HTTP_HX_REQUEST="true"
    )
    assert (
        response.status_code == 400
        and b'id="rate-card-form"' in response.content
        and b"<html" not in response.content
    )
    assert b"greater than or equal to 0" in response.content
    zero_weight = carrier_portal.post("/portal/carrier/rate-card/", {**RATE_CARD, "max_weight_kg": "0"})
    assert zero_weight.status_code == 400
    with schema_context(tenant_a.schema_name):
        assert RateCard.objects.get(carrier=carrier_a.company).per_km_minor == 50


def test_coverage_and_speed(carrier_portal, carrier_a, tenant_a):
    assert carrier_portal.post("/portal/carrier/coverage/", COVERAGE).status_code == 302
    bad = carrier_portal.post(
        "/portal/carrier/coverage/", {**COVERAGE, "city": "Atlantis", "coverage_radius_km": "0"}
    )
    assert bad.status_code == 400
    errors = bad.context["form"].errors
    assert "city" in errors and "coverage_radius_km" in errors
    assert "We could not find “Atlantis” in Netherlands" in bad.content.decode()
    with schema_context(tenant_a.schema_name):
        stored = Carrier.objects.get(pk=carrier_a.company.pk)
        # The base is Utrecht's centre, located from the town the carrier typed.
        assert stored.coverage_radius_km == 150 and stored.city == "Utrecht"
        assert abs(float(stored.latitude) - 52.09) < 0.05 and abs(float(stored.longitude) - 5.12) < 0.05


def test_another_networks_carrier_sees_only_its_own(client_b, tenant_b, carrier_a, carrier_b):
    sign_in(client_b, tenant_b, carrier_b.user)
    page = client_b.get("/portal/carrier/").content
    assert carrier_b.company.name.encode() in page and carrier_a.company.name.encode() not in page
