"""The dashboard tests reuse the orders fixtures (a network with orders in it)."""

from tests.orders.conftest import (  # noqa: F401 - fixtures shared with the orders tests
    awaiting,
    network_a,
    paid,
    planned,
    table,
)
