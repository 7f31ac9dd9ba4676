"""E-mails to the customer at payment, plan, shipment, delivery, and when the ETA slips past the promise.

Services call `order_notify_on_commit` inside their transaction; the mail goes out only if it commits (a
rolled-back change never e-mails anyone). Rendering reads the order afresh after commit.
"""

import logging

from django.core.mail import send_mail
from django.db import connection
from django.template.loader import render_to_string

from apps.orders.after_commit import on_commit_in_this_schema
from apps.tenants.models import Tenant
from apps.tenants.selectors import tenant_domain_url

logger = logging.getLogger(__name__)

KINDS = frozenset({"paid", "planned", "shipped", "delivered", "late", "cancelled", "refunded"})


def order_notify_on_commit(*, order_id: int, kind: str, extra: dict | None = None) -> None:
    if kind not in KINDS:
        raise ValueError(f"Unknown notification {kind!r}")
    on_commit_in_this_schema(lambda: _send(order_id=order_id, kind=kind, extra=extra or {}))


def _tenant() -> Tenant | None:
    """The real network row (under schema_context() the connection only knows the schema name)."""
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Tenant):
        return tenant
    return Tenant.objects.filter(schema_name=connection.schema_name).first()


def _order_url(tenant: Tenant | None, order_id: int) -> str:
    return _url_on(tenant, f"/orders/{order_id}/")


def _url_on(tenant: Tenant | None, path: str) -> str:
    if tenant is None or tenant.get_primary_domain() is None:
        return path
    return tenant_domain_url(tenant, path=path)


def network_name_and_url(path: str) -> tuple[str, str]:
    """The current network's name and `path` as an absolute link on its primary domain (the bare path when it
    has none), for e-mails sent from inside the network's schema."""
    tenant = _tenant()
    return getattr(tenant, "name", "Cloud Factory"), _url_on(tenant, path)


def _send(*, order_id: int, kind: str, extra: dict) -> None:
    from apps.orders.models import Order

    order = Order.objects.select_related("customer").filter(pk=order_id).first()
    if order is None:
        return
    tenant = _tenant()
    context = {
        "order": order,
        "kind": kind,
        "extra": extra,
        "network_name": getattr(tenant, "name", "Cloud Factory"),
        "order_url": _order_url(tenant, order_id),
    }
    subject = render_to_string("orders/email/subject.txt", context).strip()
    body = render_to_string("orders/email/body.txt", context)
    try:
        send_mail(subject, body, None, [order.customer.email])
    except Exception:  # a mail outage must not break the change that already committed
        logger.exception("Could not e-mail order %s (%s)", order_id, kind)
