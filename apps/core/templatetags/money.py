"""`{{ amount_minor|money:currency }}`: the one money filter. Integer minor units shown in their currency
("€74.12", "¥1,500", "KWD 1.234"), never through a float; a missing amount or currency is a dash."""

from decimal import Decimal

from django import template

from apps.core.money import format_minor

register = template.Library()


@register.filter
def money(amount_minor, currency: str) -> str:
    if amount_minor is None or amount_minor == "" or not currency:
        return "—"
    return format_minor(int(amount_minor), currency)


@register.filter
def basis_points(value) -> str:
    """Hundredths of a percent as a percentage people read: 2000 → "20 %", 250 → "2.5 %"."""
    if value in (None, ""):
        return "—"
    percent = Decimal(int(value)) / 100
    return f"{percent.normalize():f} %"
