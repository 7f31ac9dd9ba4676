"""Who a service acts for, and so which rows it may touch: a required argument of every orders service that an
outside party can reach (fail-closed — forgetting it is a TypeError, never "all rows").

A scope is one of:
- the acting party: a customer (their orders), an asset owner (its jobs), a carrier (its legs);
- a queryset the caller already narrowed to what the actor may touch (the portal's company scope);
- Scope.STAFF (the network's staff, in the admin) or Scope.SYSTEM (tasks, the matching engine, webhooks):
  every row, said out loud.
Outside its scope an object looks like a missing one (DoesNotExist).
"""

from __future__ import annotations

import enum

from django.db.models import Model, QuerySet


class Scope(enum.Enum):
    STAFF = "staff"
    SYSTEM = "system"


def scoped(scope, model: type[Model]) -> QuerySet:
    """The rows of `model` the scope may touch; raises TypeError for anything that is not a scope (e.g. None)."""
    if isinstance(scope, Scope):
        return model._default_manager.all()
    if isinstance(scope, QuerySet):
        if scope.model is not model:
            raise TypeError(f"A {scope.model.__name__} queryset cannot scope {model.__name__} rows.")
        return scope
    party_field = _PARTY_FIELDS.get(
        (model._meta.label, scope._meta.label if isinstance(scope, Model) else "")
    )
    if party_field is None or getattr(scope, "pk", None) is None:
        raise TypeError(
            f"scope must be the acting party, a {model.__name__} queryset narrowed to it, or Scope.STAFF / "
            f"Scope.SYSTEM; got {scope!r}."
        )
    return model._default_manager.filter(**{party_field: scope})


# (scoped model, party model) → the field that ties a row to its party.
_PARTY_FIELDS = {
    ("orders.WorkItem", "suppliers.AssetOwner"): "asset_owner",
    ("orders.TransportLeg", "suppliers.Carrier"): "carrier",
    ("orders.Order", "accounts.User"): "customer",
    ("orders.RefundRequest", "accounts.User"): "order__customer",
}


def scoped_locked_after_order(scope, model: type[Model], pk: int):
    """The row `pk` of `model` (a job or a leg) inside the scope, locked after its order's row; None outside it.

    Every writer locks an order before its jobs and legs (planning, progress, payment, refunds). Locking the job
    first — and, through the model's ordering by order, its order in the same statement — deadlocked against a
    task that held the order and waited for the job. The row itself is locked alone (`of=self`)."""
    order_id = scoped(scope, model).filter(pk=pk).values_list("order_id", flat=True).first()
    if order_id is None:
        return None
    order_model = model._meta.get_field("order").related_model
    list(order_model._default_manager.select_for_update().filter(pk=order_id).values_list("pk", flat=True))
    return scoped(scope, model).select_for_update(of=("self",)).filter(pk=pk).first()
