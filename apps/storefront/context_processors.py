"""What the storefront's header shows on every page: the number of items in the signed-in customer's cart."""

from functools import cached_property

from django.contrib.auth.models import AnonymousUser

from apps.orders.selectors import cart_item_count


class CartSummary:
    """Read on first use (one aggregate query), so only a page that shows the storefront's header pays for it."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def count(self) -> int:
        return cart_item_count(customer=self.user) if self.user.is_authenticated else 0


def cart(request):
    # A page rendered before the authentication middleware ran (a suspended network's 503) has no user yet.
    return {"cart_summary": CartSummary(getattr(request, "user", None) or AnonymousUser())}
