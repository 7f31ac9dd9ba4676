"""Coordinates: the validation bounds every model, form and serializer with a latitude or longitude uses
(distance is apps.core.geodesy.haversine_km, which must stay free of Django)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator

LATITUDE_VALIDATORS = [
    MinValueValidator(Decimal("-90"), message="Latitude must be between -90 and 90 degrees."),
    MaxValueValidator(Decimal("90"), message="Latitude must be between -90 and 90 degrees."),
]
LONGITUDE_VALIDATORS = [
    MinValueValidator(Decimal("-180"), message="Longitude must be between -180 and 180 degrees."),
    MaxValueValidator(Decimal("180"), message="Longitude must be between -180 and 180 degrees."),
]


def coordinate_error(value, validators) -> str:
    """The first message `validators` give for `value`, or "" (for services that collect errors per field)."""
    try:
        for validator in validators:
            validator(value)
    except ValidationError as error:
        return error.messages[0]
    return ""
