from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def minutes(value: float) -> str:
    """Minutes as "2 h 23 min" / "45 min"."""
    total = round(float(value))
    hours, rest = divmod(total, 60)
    return f"{hours} h {rest} min" if hours else f"{rest} min"


@register.filter
def num(value) -> str:
    """A Decimal without trailing zeros or exponent: 1200.0000 → 1200, 0.5000 → 0.5."""
    if value is None:
        return ""
    return f"{Decimal(value).normalize():f}"
