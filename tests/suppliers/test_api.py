"""Supplier and carrier API: token auth, scoped to the member's own company, field-named 400s, schema."""

from datetime import date, timedelta

import pytest
from django.test import Client
from django_tenants.utils import schema_context
from drf_spectacular.generators import SchemaGenerator

from apps.suppliers.models import AssetOwner, CalendarException, OpeningHours, RateCard, Resource
from tests.conftest import api_token_for, host_of
from tests.suppliers.factories import RESOURCE_DEFAULTS, make_member, make_resource

pytestmark = pytest.mark.django_db


def api(member, tenant=None) -> Client:
    """A client on `tenant`'s host (default: the member's own) sending the member's token."""
    with schema_context(member.tenant.schema_name):
        token = api_token_for(member.user)
    return Client(HTTP_HOST=host_of(tenant or member.tenant), HTTP_AUTHORIZATION=f"Token {token}")


def resource_payload(**changes) -> dict:
    data = {**RESOURCE_DEFAULTS, **changes}
    return {key: str(value) if not isinstance(value, (int, list)) else value for key, value in data.items()}


def test_profile_with_quality_and_status(supplier_a):
    body = api(supplier_a).get("/api/v1/supplier/profile/").json()
    assert body["id"] == supplier_a.company.pk and body["status"] == "approved"
    assert body["eligible"] is False and body["onboarded"] is False
    assert body["quality"]["score"] is None and "60 %" in body["quality"]["formula"]


def test_profile_update_rejects_impossible_coordinates_naming_the_field(supplier_a, tenant_a):
    client = api(supplier_a)
    bad = client.patch("/api/v1/supplier/profile/", {"latitude": "95.0"}, content_type="application/json")
    assert bad.status_code == 400 and "latitude" in bad.json()
    good = client.patch("/api/v1/supplier/profile/", {"city": "Veldhoven"}, content_type="application/json")
    assert good.status_code == 200 and good.json()["city"] == "Veldhoven"
    with schema_context(tenant_a.schema_name):
        stored = AssetOwner.objects.get(pk=supplier_a.company.pk)
        assert stored.city == "Veldhoven" and float(stored.latitude) < 90


def test_status_and_payout_state_are_read_only(supplier_a, tenant_a):
    api(supplier_a).patch(
        "/api/v1/supplier/profile/",
        {"status": "approved", "payouts_enabled": True, "stripe_account_id": "acct_x"},
        content_type="application/json",
    )
    with schema_context(tenant_a.schema_name):
        stored = AssetOwner.objects.get(pk=supplier_a.company.pk)
        assert not stored.payouts_enabled and stored.stripe_account_id == ""


def test_resources_crud_in_the_own_company(supplier_a, tenant_a):
    client = api(supplier_a)
    listing = client.get("/api/v1/supplier/resources/").json()
    assert [r["id"] for r in listing["results"]] == [supplier_a.resource.pk]
    created = client.post(
        "/api/v1/supplier/resources/",
        resource_payload(name="Laser", process="laser_cutting"),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    resource_id = created.json()["id"]
    assert created.json()["currency"] == "EUR"
    patched = client.patch(
        f"/api/v1/supplier/resources/{resource_id}/", {"capacity": 2}, content_type="application/json"
    )
    assert patched.status_code == 200 and patched.json()["capacity"] == 2
    assert client.delete(f"/api/v1/supplier/resources/{resource_id}/").status_code == 204
    with schema_context(tenant_a.schema_name):
        assert not Resource.objects.filter(pk=resource_id).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"capacity": 0}, "capacity"),
        ({"setup_cost_minor": -1}, "setup_cost_minor"),
        ({"cost_per_minute_minor": -10}, "cost_per_minute_minor"),
        ({"speed_factor": "0"}, "speed_factor"),
        ({"process": "alchemy"}, "process"),
    ],
)
def test_bad_resources_get_a_400_naming_the_field_and_change_nothing(supplier_a, tenant_a, change, field):
    response = api(supplier_a).post(
        "/api/v1/supplier/resources/", resource_payload(**change), content_type="application/json"
    )
    assert response.status_code == 400 and field in response.json()
    with schema_context(tenant_a.schema_name):
        assert Resource.objects.filter(asset_owner=supplier_a.company).count() == 1


def test_another_suppliers_resource_is_404_everywhere(supplier_a, other_supplier_a, tenant_a):
    client = api(supplier_a)
    theirs = other_supplier_a.resource.pk
    assert client.get(f"/api/v1/supplier/resources/{theirs}/").status_code == 404
    assert (
        client.patch(
            f"/api/v1/supplier/resources/{theirs}/", {"capacity": 3}, content_type="application/json"
        ).status_code
        == 404
    )
    assert client.delete(f"/api/v1/supplier/resources/{theirs}/").status_code == 404
    assert client.get(f"/api/v1/supplier/resources/{theirs}/opening-hours/").status_code == 404
    hours = client.post(
        f"/api/v1/supplier/resources/{theirs}/opening-hours/",
        {"weekday": 0, "opens": "08:00", "closes": "17:00"},
        content_type="application/json",
    )
    assert hours.status_code == 404
    assert client.get(f"/api/v1/supplier/resources/{theirs}/exceptions/").status_code == 404
    assert client.get(f"/api/v1/supplier/resources/{theirs}/closed/").status_code == 404
    with schema_context(tenant_a.schema_name):
        assert Resource.objects.get(pk=theirs).capacity == 1
        assert not OpeningHours.objects.filter(resource_id=theirs).exists()


def test_another_suppliers_calendar_rows_cannot_be_deleted_through_my_resource(
    supplier_a, other_supplier_a, tenant_a
):
    theirs = api(other_supplier_a).post(
        f"/api/v1/supplier/resources/{other_supplier_a.resource.pk}/opening-hours/",
        {"weekday": 0, "opens": "08:00", "closes": "17:00"},
        content_type="application/json",
    )
    assert theirs.status_code == 201
    hours_id = theirs.json()["id"]
    response = api(supplier_a).delete(
        f"/api/v1/supplier/resources/{supplier_a.resource.pk}/opening-hours/{hours_id}/"
    )
    assert response.status_code == 404
    with schema_context(tenant_a.schema_name):
        assert OpeningHours.objects.filter(pk=hours_id).exists()


def test_other_networks_are_invisible(supplier_a, supplier_b):
    """A beta token means nothing on alpha's host; on its own host it cannot reach alpha's rows."""
    assert api(supplier_b, tenant=supplier_a.tenant).get("/api/v1/supplier/profile/").status_code == 401
    alpha_resource = _resource_with_id_unused_in(supplier_b, owner=supplier_a)
    assert api(supplier_b).get(f"/api/v1/supplier/resources/{alpha_resource.pk}/").status_code == 404


def _resource_with_id_unused_in(other, *, owner):
    """A resource of `owner` whose id does not exist in `other`'s network (ids are per schema)."""
    with schema_context(other.tenant.schema_name):
        taken = set(Resource.objects.values_list("pk", flat=True))
    resource = owner.resource
    with schema_context(owner.tenant.schema_name):
        while resource.pk in taken:
            resource = make_resource(owner.company, name=f"Spare {resource.pk}")
    return resource


def test_members_of_no_company_and_anonymous_callers(supplier_a, carrier_a, make_user, tenant_a):
    assert Client(HTTP_HOST=host_of(tenant_a)).get("/api/v1/supplier/profile/").status_code == 401
    assert api(carrier_a).get("/api/v1/supplier/profile/").status_code == 404
    assert api(carrier_a).get("/api/v1/supplier/resources/").status_code == 404
    assert api(supplier_a).get("/api/v1/carrier/rate-card/").status_code == 404


def test_opening_hours_and_exceptions_validate(supplier_a, tenant_a):
    client = api(supplier_a)
    base = f"/api/v1/supplier/resources/{supplier_a.resource.pk}"
    ok = client.post(
        f"{base}/opening-hours/",
        {"weekday": 0, "opens": "08:00", "closes": "12:00"},
        content_type="application/json",
    )
    assert ok.status_code == 201
    overlap = client.post(
        f"{base}/opening-hours/",
        {"weekday": 0, "opens": "11:00", "closes": "13:00"},
        content_type="application/json",
    )
    assert overlap.status_code == 400 and "opens" in overlap.json()
    inverted = client.post(
        f"{base}/opening-hours/",
        {"weekday": 2, "opens": "18:00", "closes": "09:00"},
        content_type="application/json",
    )
    assert inverted.status_code == 400 and "closes" in inverted.json()
    soon, later, later_minus_one = (str(date.today() + timedelta(days=d)) for d in (40, 72, 71))
    exception = {
        "kind": "closed",
        "starts_at": f"{soon}T08:00:00+02:00",
        "ends_at": f"{soon}T17:00:00+02:00",
    }
    assert client.post(f"{base}/exceptions/", exception, content_type="application/json").status_code == 201
    clash = {
        **exception,
        "kind": "open",
        "starts_at": f"{soon}T16:00:00+02:00",
        "ends_at": f"{soon}T20:00:00+02:00",
    }
    response = client.post(f"{base}/exceptions/", clash, content_type="application/json")
    assert response.status_code == 400 and "starts_at" in response.json()
    backwards = {
        **exception,
        "starts_at": f"{later}T08:00:00+02:00",
        "ends_at": f"{later_minus_one}T08:00:00+02:00",
    }
    response = client.post(f"{base}/exceptions/", backwards, content_type="application/json")
    assert response.status_code == 400 and "ends_at" in response.json()
    for far in (
        {"starts_at": "0052-04-06T19:07:18Z", "ends_at": "0656-11-12T13:15:10Z"},
        {"starts_at": f"{soon}T08:00:00+02:00", "ends_at": "2999-01-01T00:00:00Z"},
    ):
        response = client.post(f"{base}/exceptions/", {**exception, **far}, content_type="application/json")
        assert (
            response.status_code == 400
            and "between the years 2000 and 2099" in response.json()["starts_at"][0]
        )
    with schema_context(tenant_a.schema_name):
        assert OpeningHours.objects.filter(resource=supplier_a.resource).count() == 1
        assert CalendarException.objects.filter(resource=supplier_a.resource).count() == 1
    closed = client.get(f"{base}/closed/?days=7").json()
    assert closed and closed[0]["starts_at"]


def test_carrier_profile_and_rate_card(carrier_a, tenant_a):
    client = api(carrier_a)
    profile = client.get("/api/v1/carrier/profile/").json()
    assert profile["coverage_radius_km"] == 100
    card = client.get("/api/v1/carrier/rate-card/").json()
    assert card["currency"] == "EUR" and card["per_km_minor"] == 50
    bad = client.patch("/api/v1/carrier/rate-card/", {"per_km_minor": -3}, content_type="application/json")
    assert bad.status_code == 400 and "per_km_minor" in bad.json()
    good = client.patch("/api/v1/carrier/rate-card/", {"per_km_minor": 65}, content_type="application/json")
    assert good.status_code == 200 and good.json()["per_km_minor"] == 65
    zero = client.patch(
        "/api/v1/carrier/profile/", {"coverage_radius_km": 0}, content_type="application/json"
    )
    assert zero.status_code == 400 and "coverage_radius_km" in zero.json()
    with schema_context(tenant_a.schema_name):
        assert RateCard.objects.get(carrier=carrier_a.company).per_km_minor == 65


def test_an_operator_member_uses_the_api_too(supplier_a, tenant_a):
    with schema_context(tenant_a.schema_name):
        operator = make_member(supplier_a.company, role="operator")
    supplier_a.user = operator
    assert api(supplier_a).get("/api/v1/supplier/resources/").status_code == 200


def test_the_schema_describes_the_supplier_and_carrier_api_without_warnings(client_a, capsys):
    from apps.suppliers.api import urls

    schema = SchemaGenerator(patterns=urls.urlpatterns).get_schema(request=None, public=True)
    paths = schema["paths"]
    assert "/supplier/resources/{id}/" in paths and "/carrier/rate-card/" in paths
    assert "/supplier/resources/{resource_pk}/exceptions/" in paths
    assert "Warning" not in capsys.readouterr().err
    full = client_a.get("/api/schema/")
    assert full.status_code == 200 and b"/api/v1/supplier/profile/" in full.content


def test_profile_country_must_be_an_iso_3166_code(supplier_a, tenant_a):
    """'ÄÖ' passed the old "two letters" check (str.isalpha accepts any script)."""
    client = api(supplier_a)
    for bad in ("ÄÖ", "XX", "EU"):
        response = client.patch(
            "/api/v1/supplier/profile/", {"country": bad}, content_type="application/json"
        )
        assert response.status_code == 400 and "country" in response.json(), bad
    good = client.patch("/api/v1/supplier/profile/", {"country": "be"}, content_type="application/json")
    assert good.status_code == 200 and good.json()["country"] == "BE"
