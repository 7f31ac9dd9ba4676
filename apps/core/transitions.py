"""The one compare-and-swap for every status field: `UPDATE … SET status = to WHERE pk = … AND status IN (from…)`.

A concurrent writer that moved the row first makes the UPDATE change nothing; then this raises InvalidTransition
carrying the state the row is in now, instead of overwriting that writer's change. Each state machine keeps its
own table of allowed moves and audit rows; this module only does the swap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db.models import Model, QuerySet

from apps.core.errors import Conflict


class InvalidTransition(Conflict):
    """The move is not allowed from the row's state, or the row was no longer in the expected state (someone
    else moved it). `current` is the state the row is in, `to` the one asked for; `waiting_for` (when the move
    is allowed but not yet) names what it waits for."""

    waiting_for: tuple[str, ...] = ()

    def __init__(self, message: str, *, current: str = "", to: str = ""):
        super().__init__(message)
        self.current = current
        self.to = to

    def conflict_details(self) -> dict:
        """What the API's 409 carries besides `detail`: the row's state, and what the move waits for."""
        details = {"status": self.current} if self.current else {}
        if self.waiting_for:
            details["waiting_for"] = list(self.waiting_for)
        return details


def transition(
    rows: type[Model] | QuerySet,
    pk,
    from_states: str | Iterable[str],
    to_state: str,
    *,
    field: str = "status",
    message: Callable[[str], str] | None = None,
    **extra_fields,
) -> str:
    """Moves row `pk` of `rows` (a model, or a queryset narrowing which rows may move) from one of `from_states`
    to `to_state`, writing `extra_fields` in the same UPDATE; returns the state it left when that is known (one
    from-state), else "".

    Raises the model's DoesNotExist when the row is not in `rows`, and InvalidTransition (with the row's state
    now, and `message(current)` as its text when given) when it is not in one of `from_states`.
    """
    allowed = [from_states] if isinstance(from_states, str) else list(from_states)
    if transition_if(rows, pk, allowed, to_state, field=field, **extra_fields):
        return allowed[0] if len(allowed) == 1 else ""
    queryset = rows if isinstance(rows, QuerySet) else rows._default_manager.all()
    current = queryset.filter(pk=pk).values_list(field, flat=True).first()
    model = queryset.model
    if current is None:
        raise model.DoesNotExist(f"{model._meta.verbose_name.capitalize()} {pk} does not exist.")
    text = message(current) if message else f"{model._meta.verbose_name.capitalize()} {pk} is {current}."
    raise InvalidTransition(text, current=current, to=to_state)


def transition_if(
    rows: type[Model] | QuerySet,
    pk,
    from_states: str | Iterable[str],
    to_state: str,
    *,
    field: str = "status",
    **extra_fields,
) -> bool:
    """transition() for writers to which "already moved" is a normal outcome (an idempotent repeat: a webhook
    redelivered, a send recorded twice): True when this call moved the row, False when it was not in
    `from_states` (or not in `rows`). Never raises for either."""
    queryset = rows if isinstance(rows, QuerySet) else rows._default_manager.all()
    allowed = [from_states] if isinstance(from_states, str) else list(from_states)
    return (
        queryset.filter(pk=pk, **{f"{field}__in": allowed}).update(**{field: to_state, **extra_fields}) == 1
    )
