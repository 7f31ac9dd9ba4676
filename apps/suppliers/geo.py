"""Coordinates: validation bounds (distance is apps.core.geodesy.haversine_km)."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator

LATITUDE_VALIDATORS = [
    MinValueValidator(Decimal("-90"), message="Latitude must be between -90 and 90 degrees."),
    MaxValueValidator(Decimal("90"), message="Latitude must be between -90 and 90 degrees."),
]
LONGITUDE_VALIDATORS = [
    MinValueValidator(Decimal("-180"), message="Longitude must be between -180 and 180 degrees."),
    MaxValueValidator(Decimal("180"), message="Longitude must be between -180 and 180 degrees."),
]
