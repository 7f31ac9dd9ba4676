"""Per-network settings tables hold one row (pk=1): the one way to read it, created with defaults on first use."""

from typing import TypeVar

from django.db import IntegrityError, models, transaction
from psycopg.errors import UniqueViolation

Row = TypeVar("Row", bound=models.Model)


def singleton_get(model: type[Row], *, defaults: dict | None = None) -> Row:
    """The model's single row in the current schema; created (with `defaults`) the first time it is asked for.

    Reads first, so the usual case is one SELECT and no write. Two first callers race on the primary key: the
    loser reads the winner's row. Inside a REPEATABLE READ snapshot (fragments.one_snapshot) that began before
    the winner committed, that row is invisible: as of the snapshot the network had no row, and the one it
    would have got is the model's defaults, so those are the answer (unsaved). A row made with `defaults` of
    the caller's (secrets drawn at random) cannot be known that way, and the race stays an IntegrityError."""
    row = model.objects.filter(pk=1).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            return model.objects.create(pk=1, **(defaults or {}))
    except IntegrityError as error:
        if not isinstance(error.__cause__, UniqueViolation):
            raise  # not the race: the row itself is wrong
        row = model.objects.filter(pk=1).first()  # the winner's row, unless a snapshot hides it
        if row is None and defaults:
            raise
    return row if row is not None else model(pk=1)
