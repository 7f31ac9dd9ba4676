"""The API's one paginator: `limit` and `offset` are bounded, so `?limit=99999999999999999999` is a 400 (it
reached PostgreSQL as an out-of-range LIMIT, a DataError) and `?limit=1000000` is quietly capped."""

from __future__ import annotations

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination

MAX_OFFSET = 1_000_000


def _bounded_int(request, name: str, *, minimum: int, maximum: int | None) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: ["A whole number."]}) from None
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"from {minimum}" + (f" to {maximum}" if maximum is not None else "")
        raise ValidationError({name: [f"A whole number {bound}."]})
    return value


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 200

    def get_limit(self, request):
        # Above max_limit is capped (DRF's documented behaviour); only nonsense is refused.
        value = _bounded_int(request, self.limit_query_param, minimum=1, maximum=None)
        return self.default_limit if value is None else min(value, self.max_limit)

    def get_offset(self, request):
        value = _bounded_int(request, self.offset_query_param, minimum=0, maximum=MAX_OFFSET)
        return value or 0

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.limit_query_param: {"minimum": 1},
            self.offset_query_param: {"minimum": 0, "maximum": MAX_OFFSET},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters
