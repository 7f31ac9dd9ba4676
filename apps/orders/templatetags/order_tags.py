from django import template
from django.utils import timezone

register = template.Library()

_TONE = {
    "paid": "ok",
    "planned": "ok",
    "in_production": "ok",
    "shipped": "ok",
    "delivered": "ok",
    "completed": "ok",
    "done": "ok",
    "accepted": "ok",
    "booked": "ok",
    "picked_up": "ok",
    "awaiting_payment": "warn",
    "draft": "warn",
    "offered": "warn",
    "in_progress": "warn",
    "disputed": "err",
    "refunded": "warn",
    "cancelled": "err",
    "declined": "err",
    "failed": "err",
}


@register.filter
def tone(status: str) -> str:
    """The badge class for a status: ok, warn or err."""
    return _TONE.get(str(status), "")


@register.inclusion_tag("portal/jobs/_deadline.html")
def answer_deadline(deadline):
    """An offer's answer deadline as time left, or as passed: judged against the clock when the page is drawn,
    never against a `now` the view may or may not have put in the context."""
    return {"deadline": deadline, "now": timezone.now()}
