"""What the storefront's header shows on every page: the number of items in the signed-in customer's cart."""

from functools import cached_property

from apps.accounts.context_processors import request_user
from apps.orders.selectors import cart_item_count


class CartSummary:
    """Read on first use (one aggregate query), so only a page that shows the storefront's header pays for it."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def count(self) -> int:
        return cart_item_count(customer=self.user) if self.user.is_authenticated else 0


def cart(request):
    return {"cart_summary": CartSummary(request_user(request))}
