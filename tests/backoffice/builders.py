"""Rows the back-office tests arrange."""

from apps.payouts.models import Transfer


def failed_transfer(order, item) -> Transfer:
    """A transfer for `item`'s work that Stripe refused three times: what the dashboard's failed-transfers card
    lists."""
    return Transfer.objects.create(
        order=order,
        work_item=item,
        asset_owner=item.asset_owner,
        part_amount_minor=12345,
        amount_minor=12345,
        currency=order.currency,
        status="failed",
        attempts=3,
        last_error="No such destination",
        idempotency_key=f"transfer:test:{item.pk}",
    )
