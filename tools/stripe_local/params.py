"""Typed reading of request parameters (form-encoded by the SDK, so everything arrives as strings).

Each accessor removes the parameter it reads; ``done()`` then rejects whatever is left, the way Stripe
answers ``parameter_unknown`` instead of silently ignoring a typo.
"""

import operator
import re

from .errors import invalid, missing_param, unknown_param

_CURRENCY = re.compile(r"^[a-z]{3}$")
_COMPARISONS = {
    "eq": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


class Params:
    def __init__(self, data):
        self._data = dict(data or {})

    def _take(self, name: str, required: bool):
        value = self._data.pop(name, None)
        # The SDK sends "" to mean "unset"; treat it like an absent parameter.
        if value is None or value == "":
            if required:
                raise missing_param(name)
            return None
        return value

    def string(self, name: str, *, required: bool = False, choices=None, default=None):
        value = self._take(name, required)
        if value is None:
            return default
        if not isinstance(value, str):
            raise invalid(f"Invalid string: {value!r}", code="parameter_invalid_string", param=name)
        if choices is not None and value not in choices:
            raise invalid(
                f"Invalid {name}: must be one of {', '.join(choices)}",
                code="parameter_invalid_string",
                param=name,
            )
        return value

    def integer(self, name: str, *, required: bool = False, minimum=None, default=None):
        value = self._take(name, required)
        if value is None:
            return default
        try:
            if isinstance(value, bool) or not isinstance(value, (int, str)):
                raise ValueError
            number = int(value)
        except ValueError:
            raise invalid(f"Invalid integer: {value}", code="parameter_invalid_integer", param=name) from None
        if minimum is not None and number < minimum:
            raise invalid(
                f"This value must be greater than or equal to {minimum}.",
                code="parameter_invalid_integer",
                param=name,
            )
        return number

    def number(self, name: str, *, minimum=None, default=None):
        value = self._take(name, False)
        if value is None:
            return default
        try:
            if isinstance(value, bool):
                raise ValueError
            number = float(value)
        except (TypeError, ValueError):
            raise invalid(f"Invalid number: {value}", param=name) from None
        if minimum is not None and number < minimum:
            raise invalid(f"This value must be greater than or equal to {minimum}.", param=name)
        return number

    def boolean(self, name: str, *, default=None):
        value = self._take(name, False)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise invalid(f"Invalid boolean: {value}", code="parameter_invalid_boolean", param=name)

    def mapping(self, name: str, *, default=None):
        value = self._data.pop(name, None)
        if value is None:
            return default
        if value == "":
            return {}
        if not isinstance(value, dict):
            raise invalid(
                f"Invalid object: {name} must be a hash", code="parameter_invalid_object", param=name
            )
        return value

    def string_list(self, name: str, *, default=None):
        value = self._data.pop(name, None)
        if value is None or value == "":
            return default
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise invalid(f"Invalid array: {name}", code="parameter_invalid_array", param=name)
        return value

    def currency(self, name: str = "currency", *, required: bool = False, default=None):
        value = self.string(name, required=required)
        if value is None:
            return default
        value = value.lower()
        if not _CURRENCY.match(value):
            raise invalid(f"Invalid currency: {value}", code="parameter_invalid_string", param=name)
        return value

    def metadata(self):
        """``None`` when absent, ``{}`` when sent as "" (clear all), else a dict of strings."""
        value = self.mapping("metadata")
        if value is None:
            return None
        return {str(key): "" if item is None else str(item) for key, item in value.items()}

    def created(self, name: str = "created"):
        """Stripe's range filter: ``created=<ts>`` or ``created[gt|gte|lt|lte]=<ts>``; returns a predicate."""
        value = self._data.pop(name, None)
        if value is None or value == "":
            return lambda obj: True
        bounds = value if isinstance(value, dict) else {"eq": value}
        if not set(bounds) <= set(_COMPARISONS):
            raise unknown_param(f"{name}[{next(iter(set(bounds) - set(_COMPARISONS)))}]")
        limits = {}
        for op, raw in bounds.items():
            try:
                limits[op] = int(raw)
            except (TypeError, ValueError):
                raise invalid(
                    f"Invalid integer: {raw}", code="parameter_invalid_integer", param=name
                ) from None
        return lambda obj: all(_COMPARISONS[op](obj.created, limit) for op, limit in limits.items())

    def done(self) -> None:
        if self._data:
            raise unknown_param(next(iter(self._data)))


def merge_metadata(current: dict, update) -> dict:
    """Stripe semantics: "" clears everything, a key set to "" is removed, other keys are merged."""
    if update is None:
        return current
    if update == {}:
        return {}
    merged = dict(current)
    for key, value in update.items():
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def fresh_metadata(value) -> dict:
    return {key: item for key, item in (value or {}).items() if item != ""}
