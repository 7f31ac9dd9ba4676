"""JSON with a nesting limit: a stranger's 50,000-deep array must be a 400, not a RecursionError (500).

The limit is far above anything the API reads (the deepest documented body is a design's values: two levels)
and low enough that nothing downstream (serializers, JSONField round trips, templates) can recurse out of stack.
"""

from __future__ import annotations

import json

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_JSON_DEPTH = 32


class JSONTooDeep(ValueError):
    pass


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
            raise JSONTooDeep(f"JSON nested deeper than {limit} levels.")
        stack.extend((child, depth + 1) for child in children)


def json_loads_bounded(text: str | bytes, *, limit: int = MAX_JSON_DEPTH, **kwargs):
    """json.loads that refuses too-deep documents with a ValueError (JSONTooDeep) instead of recursing."""
    try:
        value = json.loads(text, **kwargs)
    except RecursionError:
        raise JSONTooDeep(f"JSON nested deeper than {limit} levels.") from None
    json_depth_check(value, limit=limit)
    return value


class BoundedJSONParser(JSONParser):
    """DRF's JSONParser with the nesting limit (the default parser of every API view)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            value = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels.") from None
        try:
            json_depth_check(value)
        except JSONTooDeep as error:
            raise ParseError(f"JSON parse error - {error}") from None
        return value
