"""JSON with a nesting limit: a stranger's 50,000-deep array must be a 400, not a RecursionError (500).

The limit is far above anything the application reads (the deepest documented body is a design's values: two
levels) and low enough that nothing downstream (serializers, JSONField round trips, templates) can recurse
out of stack. The API's parser (BoundedJSONParser) and the admin's JSON form fields both apply it.
"""

from __future__ import annotations

import json

from django import forms
from django.db import models
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_JSON_DEPTH = 32


class JSONTooDeep(ValueError):
    def __init__(self, limit: int = MAX_JSON_DEPTH):
        super().__init__(f"JSON nested deeper than {limit} levels.")


def json_depth_check(value, *, limit: int = MAX_JSON_DEPTH) -> None:
    """Raises JSONTooDeep when lists/objects nest deeper than `limit` (iterative: no recursion of its own)."""
    stack = [(value, 1)]
    while stack:
        current, depth = stack.pop()
        if isinstance(current, dict):
            children = current.values()
        elif isinstance(current, list):
            children = current
        else:
            continue
        if depth > limit:
            raise JSONTooDeep(limit)
        stack.extend((child, depth + 1) for child in children)


def json_loads_bounded(text: str | bytes, *, limit: int = MAX_JSON_DEPTH, **kwargs):
    """json.loads that refuses too-deep documents with a ValueError (JSONTooDeep) instead of recursing."""
    try:
        value = json.loads(text, **kwargs)
    except RecursionError:
        raise JSONTooDeep(limit) from None
    json_depth_check(value, limit=limit)
    return value


class BoundedJSONParser(JSONParser):
    """DRF's JSONParser with the nesting limit (the default parser of every API view)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            value = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON parse error - {JSONTooDeep()}") from None
        try:
            json_depth_check(value)
        except JSONTooDeep as error:
            raise ParseError(f"JSON parse error - {error}") from None
        return value


class BoundedJSONFormField(forms.JSONField):
    """Django's JSON form field with the nesting limit: too deep is a field error, also when the form is shown
    again with the input kept."""

    def to_python(self, value):
        if isinstance(value, str) and value not in self.empty_values:
            try:
                json_loads_bounded(value, cls=self.decoder)
            except JSONTooDeep as error:
                raise forms.ValidationError(str(error), code="too_deep") from None
            except ValueError:
                pass  # malformed: Django's own message
        return super().to_python(value)

    def bound_data(self, data, initial):
        if isinstance(data, str):
            try:
                json_loads_bounded(data, cls=self.decoder)
            except JSONTooDeep:
                return forms.fields.InvalidJSONInput(data)
            except ValueError:
                pass
        return super().bound_data(data, initial)


# For a ModelAdmin's or inline's formfield_overrides.
BOUNDED_JSON_FORM_FIELDS = {models.JSONField: {"form_class": BoundedJSONFormField}}
