"""A leg's stop (apps.portal.legs.Stop) as HTML: who, where, whom to ask for and a phone link to tap.

A filter rather than an `{% include %}`: the legs board shows two stops per row, and an include per stop was most
of the board's rendering time (a context push, a template render and a dozen variable look-ups each)."""

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()


@register.filter
def stop_html(stop) -> str:
    parts = [format_html("<strong>{}</strong>", stop.label)]
    if stop.address or stop.city:
        parts.append(format_html("<br>{}", stop.address or stop.city))
    ask = [format_html("ask for {}", stop.contact)] if stop.contact else []
    if stop.phone:
        ask.append(format_html('<a href="{}">{}</a>', stop.phone_link, stop.phone))
    if ask:
        parts.append(
            format_html(
                '<br><span class="muted">{}</span>', format_html_join(" · ", "{}", ((a,) for a in ask))
            )
        )
    return format_html_join("", "{}", ((part,) for part in parts))
