"""What a service raises when it refuses, and how a refusal reaches the person who asked.

Services raise Django's `ValidationError` (bad input, keyed by field where one is at fault), an `InvalidInput`
subclass when the errors have a shape of their own (a configuration's errors nested under `values`), or a
`Conflict` subclass when the input is fine but the object's state does not allow the action (an order already in
production, a job still waiting for its parts).

The API turns them into 400 / 409 in one place (apps/core/api/exceptions.py); pages put them on the form with
`form_add_service_error`. Neither repeats the mapping.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

NON_FIELD = "non_field_errors"  # DRF's key for errors no single field explains


class InvalidInput(Exception):
    """Bad input whose errors are not a flat field → messages map. `field_errors` is what a 400 carries."""

    @property
    def field_errors(self) -> dict:
        return {NON_FIELD: [str(self)]}


class Conflict(Exception):
    """The action is not possible in the object's current state; nothing changed (409).

    Subclasses add what a client needs to act on the refusal (`conflict_details`), e.g. what a job waits for."""

    def conflict_details(self) -> dict:
        return {}


def service_error_fields(error: ValidationError | InvalidInput) -> dict:
    """The errors of a service's refusal as field → messages, with DRF's `non_field_errors` for the rest."""
    if isinstance(error, InvalidInput):
        return error.field_errors
    if hasattr(error, "error_dict"):
        return {
            (NON_FIELD if field == NON_FIELD_ERRORS else field): messages
            for field, messages in error.message_dict.items()
        }
    return {NON_FIELD: error.messages}


def _messages(value) -> list[str]:
    """Nested errors (e.g. {"values": {"width": [...]}}) flattened into sentences for a form."""
    if isinstance(value, Mapping):
        return [
            message if key == NON_FIELD else f"{key}: {message}"
            for key, nested in value.items()
            for message in _messages(nested)
        ]
    if isinstance(value, list | tuple):
        return [message for item in value for message in _messages(item)]
    return [str(value)]


def form_add_service_error(
    form, error: ValidationError | InvalidInput | Conflict, *, field_map: Mapping[str, str] | None = None
) -> None:
    """Shows a service's refusal on a bound form: next to the field it names when the form has that field
    (after renaming through `field_map`, e.g. {"amount_minor": "amount"}), above the form otherwise."""
    if isinstance(error, Conflict):
        form.add_error(None, str(error))
        return
    for field, problems in service_error_fields(error).items():
        name = (field_map or {}).get(field, field)
        form.add_error(name if name in form.fields else None, _messages(problems))
