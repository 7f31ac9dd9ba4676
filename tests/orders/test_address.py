"""A free-text destination is checked like every other address: ISO country code, coordinates in range."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.orders.services.cart import AddressInput, address_resolve

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
