"""Access helpers: the requesting customer's objects, or Http404 ("not yours" looks like "missing")."""

from __future__ import annotations

import uuid

from django.http import Http404

from apps.accounts.access import is_signed_in, may_read_money
from apps.catalog.models import DesignVersion
from apps.orders.models import Order, QualityCheck, TransportLeg
from apps.orders.selectors import order_with_detail, order_with_page_detail


def order_get_for_customer(*, user, order_id, detail: bool = False, page: bool = False) -> Order:
    """The user's own order, or Http404 for a missing one, another customer's, or a malformed id; `detail`: with
    everything the API's detail shows, `page`: with what the order page shows."""
    if not is_signed_in(user):
        raise Http404("No such order.")
    try:
        pk = int(order_id)
    except (TypeError, ValueError):
        raise Http404("No such order.") from None
    queryset = Order.objects.filter(pk=pk, customer=user)
    if detail:
        queryset = order_with_detail(queryset)
    elif page:
        queryset = order_with_page_detail(queryset)
    order = queryset.first()
    if order is None:
        raise Http404("No such order.")
    return order


def design_version_orderable_get(*, user, design_version_id) -> DesignVersion:
    """A version of one of the user's own designs, or Http404."""
    if not is_signed_in(user):
        raise Http404("No such design.")
    try:
        version_id = uuid.UUID(str(design_version_id))
    except (TypeError, ValueError):
        raise Http404("No such design.") from None
    version = DesignVersion.objects.select_related("design").filter(pk=version_id, design__owner=user).first()
    if version is None:
        raise Http404("No such design.")
    return version


def quality_photo_readable(user, name: str) -> bool:
    """Whether `user` may fetch the quality-check photo stored as `name`: a member of the asset owner whose job it
    is, or staff and finance. Registered with the media view (apps.core.media) for the quality photos' folder."""
    if may_read_money(user):
        return True
    return (
        is_signed_in(user)
        and QualityCheck.objects.filter(photo=name, work_item__asset_owner__members__user=user).exists()
    )


def proof_photo_readable(user, name: str) -> bool:
    """Whether `user` may fetch the proof-of-delivery photo stored as `name`: a member of the carrier that
    delivered the leg, or staff and finance."""
    if may_read_money(user):
        return True
    return (
        is_signed_in(user)
        and TransportLeg.objects.filter(proof_photo=name, carrier__members__user=user).exists()
    )
