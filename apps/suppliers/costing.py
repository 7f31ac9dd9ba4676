"""A resource's price and duration for one job. Pure: the matching engine and the quote call it per candidate."""

import math
from decimal import Decimal


def processing_minutes(*, reference_minutes: int, speed_factor: Decimal) -> int:
    """Minutes this resource needs for work that takes `reference_minutes` at speed factor 1 (rounded up)."""
    if speed_factor <= 0:
        raise ValueError("speed_factor must be positive.")
    return max(1, math.ceil(Decimal(reference_minutes) / Decimal(speed_factor)))


def processing_cost_minor(
    *, minutes: int, setup_cost_minor: int, cost_per_minute_minor: int, minimum_charge_minor: int
) -> int:
    """max(minimum charge, setup + per minute × minutes), in the resource's minor units."""
    return max(minimum_charge_minor, setup_cost_minor + cost_per_minute_minor * minutes)
