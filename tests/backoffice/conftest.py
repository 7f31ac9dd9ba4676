"""The dashboard tests reuse the orders fixtures (a network with orders in it); the product reviews the studio's
(a designer with a draft)."""

from tests.designers.studio.conftest import (  # noqa: F401 - a designer and a draft, for the product reviews
    catalog_a,
    draft_a,
    studio_designer,
    studio_member,
)
from tests.orders.conftest import (  # noqa: F401 - fixtures shared with the orders tests
    awaiting,
    network_a,
    paid,
    planned,
    table,
)
