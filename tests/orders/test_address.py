"""A free-text destination is checked like every other address: ISO country code, coordinates in range."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.orders.services.cart import AddressInput, address_resolve
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

ADDRESS = {
    "recipient_name": "Ada",
    "address_line": "Dorpsstraat 3",
    "city": "Ergens",
    "latitude": Decimal("52.1"),
    "longitude": Decimal("5.2"),
}


@pytest.mark.parametrize("country", ["ÄÖ", "XX", "N"])
def test_a_made_up_country_is_a_field_error(in_tenant_a, country):
    """The cart used to store whatever two characters it was given (upper-cased and cut to two)."""
    with pytest.raises(ValidationError) as refused:
        address_resolve(AddressInput(**ADDRESS, country=country))
    assert "two-letter ISO 3166" in refused.value.message_dict["country"][0]


def test_coordinates_out_of_range_use_the_shared_messages(in_tenant_a):
    with pytest.raises(ValidationError) as refused:
        address_resolve(AddressInput(**{**ADDRESS, "latitude": Decimal("91"), "longitude": Decimal("-181")}))
    assert refused.value.message_dict == {
        "latitude": ["Latitude must be between -90 and 90 degrees."],
        "longitude": ["Longitude must be between -180 and 180 degrees."],
    }


def test_a_real_country_is_stored_upper_case(in_tenant_a):
    assert address_resolve(AddressInput(**ADDRESS, country=" be "))["country"] == "BE"


def test_a_typed_town_is_looked_up(in_tenant_a):
    """Street, postcode, town and country are what people type; the gazetteer gives the coordinates."""
    fields = address_resolve(
        AddressInput(recipient_name="Ada", address_line="Markt 1", postcode="5611 EB", city="EINDHOVEN")
    )
    assert (fields["city"], fields["country"], fields["postcode"]) == ("EINDHOVEN", "NL", "5611 EB")
    assert abs(fields["latitude"] - Decimal("51.44")) < 1 and abs(fields["longitude"] - Decimal("5.48")) < 1


def test_an_unknown_town_is_a_message_on_the_town(in_tenant_a):
    with pytest.raises(ValidationError) as refused:
        address_resolve(
            AddressInput(recipient_name="Ada", address_line="Markt 1", city="Atlantis", country="BE")
        )
    assert refused.value.message_dict == {
        "city": ["We could not find “Atlantis” in Belgium. Check the spelling, or give the nearest town."]
    }


@pytest.mark.parametrize(
    "body",
    [
        {"city": ""},
        {"city": "🏭" * 40},
        {"city": "Utrecht", "country": "ZZ"},
        {"city": "Utrecht", "country": "Netherlands"},
        {"city": "Utrecht", "country": None},
        {"city": ["Utrecht"]},
        {"city": "Utrecht", "latitude": "52.1"},
        {"city": "Utrecht", "latitude": "north", "longitude": 5},
        {"city": "\x00"},
        {"postcode": "x" * 500, "city": "Utrecht"},
    ],
)
def test_odd_addresses_are_field_errors_never_a_500(client_a, tenant_a, customer, body):
    sign_in(client_a, tenant_a, customer)
    response = client_a.put(
        "/api/v1/cart/",
        {"recipient_name": "Ada", "address_line": "Markt 1", **body},
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert set(response.json()) <= {
        "city",
        "country",
        "latitude",
        "longitude",
        "postcode",
        "non_field_errors",
    }


def test_coordinates_sent_by_older_clients_still_work(client_a, tenant_a, customer):
    """Deprecated: `latitude` and `longitude` are used as sent (no look-up) so existing clients keep working."""
    sign_in(client_a, tenant_a, customer)
    response = client_a.put(
        "/api/v1/cart/",
        {
            "recipient_name": "Ada",
            "address_line": "Markt 1",
            "city": "Ergens",
            "latitude": "52.1",
            "longitude": 5.2,
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert (response.json()["latitude"], response.json()["longitude"]) == ("52.100000", "5.200000")
