"""`{{ amount_minor|money:currency }}`: integer minor units shown as money ("€74.12"), never as a float."""

from django import template

from apps.core.money import Money

register = template.Library()


@register.filter
def money(amount_minor, currency: str) -> str:
    if amount_minor is None or amount_minor == "":
        return "—"
    return Money(int(amount_minor), currency).format()
