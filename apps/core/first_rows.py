"""The first rows of a list and how many rows there are, in one statement: a dashboard's "5 of 23" cards."""

from __future__ import annotations

from django.db.models import Count, QuerySet, Window

TOTAL = "_rows_in_all"


def first_rows_and_count(queryset: QuerySet, limit: int) -> tuple[list, int]:
    """The first `limit` rows of the ordered `queryset` and the number of rows it has in all: a window count is
    computed before LIMIT applies, so every row carries the total and one round trip answers both (an empty
    result means 0)."""
    rows = list(queryset.annotate(**{TOTAL: Window(Count("pk"))})[:limit])
    return rows, getattr(rows[0], TOTAL) if rows else 0
