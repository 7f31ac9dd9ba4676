"""Coordinates: validation bounds and great-circle distance. Pure, no Django models."""

import math
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)

LATITUDE_VALIDATORS = [
    MinValueValidator(Decimal("-90"), message="Latitude must be between -90 and 90 degrees."),
    MaxValueValidator(Decimal("90"), message="Latitude must be between -90 and 90 degrees."),
]
LONGITUDE_VALIDATORS = [
    MinValueValidator(Decimal("-180"), message="Longitude must be between -180 and 180 degrees."),
    MaxValueValidator(Decimal("180"), message="Longitude must be between -180 and 180 degrees."),
]

Point = tuple[float, float]  # (latitude, longitude) in degrees


def haversine_km(a: Point, b: Point) -> float:
    """Great-circle distance between two (lat, lon) points in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
