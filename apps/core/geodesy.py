"""Great-circle distance between coordinates: the one copy (suppliers' rate cards, matching's problem building,
the engine's benchmark scenarios and the demo all measure with it).

Pure Python on purpose: the matching engine imports it, and its import-linter contract forbids Django, so
coordinate *validators* (which are Django's) live elsewhere.
"""

import math

EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)

Point = tuple[float, float]  # (latitude, longitude) in degrees


def haversine_km(a: Point, b: Point) -> float:
    """Great-circle distance between two (lat, lon) points in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
