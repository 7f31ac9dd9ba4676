"""`{{ moment|when }}`, `{{ moment|day }}`, `{{ moment|clock }}`, `{{ start|span:end }}`, `{{ start|period:"month" }}`:
the only way pages show
dates and times (formats per locale in apps/core/when.py). `<time datetime="{{ moment|date:'c' }}">` keeps ISO for
machines; people read these."""

from django import template

from apps.core.when import format_clock, format_day, format_moment, format_period, format_span

register = template.Library()


@register.filter
def when(value) -> str:
    return format_moment(value)


@register.filter
def day(value) -> str:
    return format_day(value)


@register.filter
def clock(value) -> str:
    return format_clock(value)


@register.filter
def span(start, end) -> str:
    return format_span(start, end)


@register.filter
def period(start, unit) -> str:
    return format_period(start, unit)
