"""Per-network settings tables hold one row (pk=1): the one way to read it, created with defaults on first use."""

from typing import TypeVar

from django.db import models

Row = TypeVar("Row", bound=models.Model)


def singleton_get(model: type[Row], *, defaults: dict | None = None) -> Row:
    """The model's single row in the current schema; created (with `defaults`) the first time it is asked for.

    Reads first, so the usual case is one SELECT and no write; get_or_create settles two first callers racing."""
    row = model.objects.filter(pk=1).first()
    if row is None:
        row, _ = model.objects.get_or_create(pk=1, defaults=defaults or {})
    return row
