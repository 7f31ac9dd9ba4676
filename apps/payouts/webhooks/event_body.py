"""What a well-formed Stripe event body is, checked before anything is stored.

A correctly signed body can still be malformed (a bug at the sender, or a leaked webhook secret): a JSON array,
nesting deep enough to exhaust the stack, ids longer than their columns, NUL characters PostgreSQL's jsonb
refuses, NaN, or `data` that is not an object. Each is refused here with a reason (the endpoint answers 400),
so the inbox never writes half an event and no handler ever meets a shape it does not expect.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from apps.payouts.stripe_client import InvalidWebhook

# Stripe's events nest a handful of levels (event → data → object → e.g. charges → data → refund → metadata).
MAX_DEPTH = 32
MAX_ID_LENGTH = 255  # WebhookEvent.stripe_event_id and .account
MAX_TYPE_LENGTH = 100  # WebhookEvent.type
MAX_CREATED = 2**63 - 1  # WebhookEvent.stripe_created is a bigint


class MalformedEvent(InvalidWebhook):
    """A correctly signed body that is not a well-formed Stripe event."""


@dataclass(frozen=True)
class EventBody:
    """The fields the inbox stores, checked; `payload` is the whole event, safe for a jsonb column."""

    id: str
    type: str
    account: str
    created: int
    payload: dict


def _no_constants(name: str):
    raise MalformedEvent(f"The body holds {name}, which is not JSON.")


def _parsed(payload: bytes) -> object:
    try:
        return json.loads(payload, parse_constant=_no_constants)
    except RecursionError:
        raise MalformedEvent(f"The body nests deeper than {MAX_DEPTH} levels.") from None
    except ValueError as error:  # also UnicodeDecodeError: not UTF-8
        raise MalformedEvent(f"The body is not JSON: {str(error)[:100]}") from None


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise MalformedEvent("The body holds a NUL character (\\u0000).")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedEvent("The body holds a lone surrogate (an invalid \\u escape).") from None


def _check_values(root: object) -> None:
    """Depth and strings of every value, iteratively (a recursive walk is what a deep body would exhaust)."""
    stack = [(root, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise MalformedEvent(f"The body nests deeper than {MAX_DEPTH} levels.")
            if isinstance(value, dict):
                for key in value:
                    _check_text(key)
                children = value.values()
            else:
                children = value
            stack.extend((child, depth + 1) for child in children)
        elif isinstance(value, str):
            _check_text(value)
        elif isinstance(value, float) and not math.isfinite(value):
            raise MalformedEvent("The body holds a number too large for JSON (1e999).")


def _text_field(event: dict, name: str, *, max_length: int, required: bool) -> str:
    value = event.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise MalformedEvent(f"The event's `{name}` must be a non-empty string.")
    if len(value) > max_length:
        raise MalformedEvent(f"The event's `{name}` is longer than {max_length} characters.")
    return value


def _created(event: dict) -> int:
    value = event.get("created")
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_CREATED:
        raise MalformedEvent("The event's `created` must be a Unix timestamp.")
    return value


def event_body_parse(payload: bytes) -> EventBody:
    """Parses a verified body into the fields the inbox stores. Raises MalformedEvent, writing nothing."""
    event = _parsed(payload)
    if not isinstance(event, dict):
        raise MalformedEvent("The body is not a JSON object.")
    _check_values(event)
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise MalformedEvent("The event's `data` must be an object holding an `object` object.")
    return EventBody(
        id=_text_field(event, "id", max_length=MAX_ID_LENGTH, required=True),
        type=_text_field(event, "type", max_length=MAX_TYPE_LENGTH, required=True),
        account=_text_field(event, "account", max_length=MAX_ID_LENGTH, required=False),
        created=_created(event),
        payload=event,
    )
