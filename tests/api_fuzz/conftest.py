"""The fuzzing runs against alpha with the orders fixtures (demo catalog, a small supplier network)."""

from tests.orders.conftest import network_a, table  # noqa: F401 - fixtures shared with the orders tests
