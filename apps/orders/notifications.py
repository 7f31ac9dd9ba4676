"""E-mails to the customer at payment, plan, shipment, delivery, and when the ETA slips past the promise.

Services call `order_notify_on_commit` inside their transaction: the mail is rendered there (it tells the change
as made) and written to the outbox, so it goes out only if the change commits and an SMTP outage only delays it.
"""

from django.template.loader import render_to_string

from apps.outbox.services import outbox_enqueue_email
from apps.tenants.models import Tenant
from apps.tenants.selectors import tenant_current, tenant_domain_url

KINDS = frozenset({"paid", "planned", "shipped", "delivered", "late", "cancelled", "refunded"})


def order_notify_on_commit(*, order_id: int, kind: str, extra: dict | None = None) -> None:
    if kind not in KINDS:
        raise ValueError(f"Unknown notification {kind!r}")
    _send(order_id=order_id, kind=kind, extra=extra or {})


def _order_url(tenant: Tenant | None, order_id: int) -> str:
    return _url_on(tenant, f"/orders/{order_id}/")


def _url_on(tenant: Tenant | None, path: str) -> str:
    if tenant is None or tenant.get_primary_domain() is None:
        return path
    return tenant_domain_url(tenant, path=path)


def network_name_and_url(path: str) -> tuple[str, str]:
    """The current network's name and `path` as an absolute link on its primary domain (the bare path when it
    has none), for e-mails sent from inside the network's schema."""
    tenant = tenant_current()
    return getattr(tenant, "name", "Cloud Factory"), _url_on(tenant, path)


def _send(*, order_id: int, kind: str, extra: dict) -> None:
    from apps.orders.models import Order

    order = Order.objects.select_related("customer").filter(pk=order_id).first()
    if order is None:
        return
    tenant = tenant_current()
    context = {
        "order": order,
        "kind": kind,
        "extra": extra,
        "network_name": getattr(tenant, "name", "Cloud Factory"),
        "order_url": _order_url(tenant, order_id),
    }
    outbox_enqueue_email(
        to=[order.customer.email],
        subject=render_to_string("email/orders/subject.txt", context),
        body=render_to_string("email/orders/body.txt", context),
    )
