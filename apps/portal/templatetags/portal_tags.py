from django import template

from apps.portal.jobs import process_label as _process_label

register = template.Library()


@register.filter
def process_label(code: str) -> str:
    """{{ "cnc_milling"|process_label }} → CNC milling."""
    return _process_label(code or "")
