"""The profit-share policy: versions published by staff, and the version each order is pinned to."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max

from apps.catalog.royalty import RoyaltyBounds
from apps.payouts.models import OrderPolicyPin, ProfitSharePolicy
from apps.payouts.profit_share import rule as profit_share
from apps.tenants.selectors import tenant_current


def policy_current() -> ProfitSharePolicy:
    """The newest published version; version 1 with the defaults when staff never published one."""
    policy = ProfitSharePolicy.objects.order_by("-version").first()
    if policy is not None:
        return policy
    try:
        with transaction.atomic():
            return ProfitSharePolicy.objects.create(version=1, note="Default policy")
    except IntegrityError:
        return ProfitSharePolicy.objects.get(version=1)


@transaction.atomic
def profit_share_policy_publish(
    *,
    method: str,
    platform_surplus_bp: int,
    min_platform_fee_minor: int,
    fee_bearer: str,
    refund_mode: str = profit_share.REFUND_PRO_RATA,
    refund_fee_bearer: str = profit_share.REFUND_FEE_PLATFORM,
    designer_royalty_max_bp: int = 2_000,
    designer_royalty_max_minor: int = 10_000,
    note: str = "",
    actor=None,
) -> ProfitSharePolicy:
    """Publishes a new version; orders sold from now on pin it, orders sold before keep theirs.

    Validates through the pure Policy (raises profit_share.SplitError). Two staff publishing at once get
    consecutive versions: the unique version number makes the loser retry with the next one.
    """
    profit_share.Policy(
        method=method,
        platform_surplus_bp=platform_surplus_bp,
        min_platform_fee_minor=min_platform_fee_minor,
        fee_bearer=fee_bearer,
        refund_mode=refund_mode,
        refund_fee_bearer=refund_fee_bearer,
    )
    if not 0 <= designer_royalty_max_bp <= profit_share.BASIS_POINTS:
        raise profit_share.SplitError("The designers' royalty bound is between 0 and 100 % of the price.")
    if designer_royalty_max_minor < 0:
        raise profit_share.SplitError("The designers' fixed royalty bound is not negative.")
    for _ in range(5):
        version = (ProfitSharePolicy.objects.aggregate(top=Max("version"))["top"] or 0) + 1
        try:
            with transaction.atomic():
                return ProfitSharePolicy.objects.create(
                    version=version,
                    method=method,
                    platform_surplus_bp=platform_surplus_bp,
                    min_platform_fee_minor=min_platform_fee_minor,
                    fee_bearer=fee_bearer,
                    refund_mode=refund_mode,
                    refund_fee_bearer=refund_fee_bearer,
                    designer_royalty_max_bp=designer_royalty_max_bp,
                    designer_royalty_max_minor=designer_royalty_max_minor,
                    note=note[:300],
                    created_by=actor if getattr(actor, "pk", None) else None,
                )
        except IntegrityError:
            continue
    raise RuntimeError("Could not publish a new policy version; try again.")


def order_policy_pin(*, order_id: int) -> OrderPolicyPin:
    """Pins the current version to an order, once: later calls return the first pin whatever was published since."""
    pin = OrderPolicyPin.objects.select_related("policy").filter(order_id=order_id).first()
    if pin is not None:
        return pin
    try:
        with transaction.atomic():
            return OrderPolicyPin.objects.create(order_id=order_id, policy=policy_current())
    except IntegrityError:
        return OrderPolicyPin.objects.select_related("policy").get(order_id=order_id)


def policy_for_order(*, order_id: int) -> ProfitSharePolicy:
    """The order's pinned version, or the current one for an order not pinned yet (read only, pins nothing)."""
    pin = OrderPolicyPin.objects.select_related("policy").filter(order_id=order_id).first()
    return pin.policy if pin is not None else policy_current()


def royalty_bounds_current() -> RoyaltyBounds:
    """The current policy's bounds on designers' royalties (catalog's CATALOG_ROYALTY_BOUNDS port)."""
    policy = policy_current()
    network = tenant_current()
    return RoyaltyBounds(
        max_bp=policy.designer_royalty_max_bp,
        max_minor=policy.designer_royalty_max_minor,
        currency=network.currency if network is not None else "",
    )
