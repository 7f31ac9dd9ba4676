"""Filters that keep values which end up inside CSS (a nonce-allowed <style>, SVG fill) to what CSS expects."""

import re

from django import template

register = template.Library()

_HEX_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


@register.filter
def css_color(value, fallback: str = "#2458d3") -> str:
    """The value if it is a #rgb/#rrggbb colour, else the fallback: a network's accent colour is written into a
    nonce-allowed <style>, where anything else could add rules of its own."""
    value = str(value or "")
    return value if _HEX_COLOR.fullmatch(value) else fallback
