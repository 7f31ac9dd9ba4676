"""Security tests run against alpha with the orders fixtures (demo catalog, a small network, orders) and the
supplier-network fixtures (companies with portal members)."""

from tests.catalog.conftest import demo_catalog_a  # noqa: F401 - fixture
from tests.orders.conftest import (  # noqa: F401 - fixtures shared with the orders tests
    awaiting,
    network_a,
    paid,
    planned,
    table,
)
from tests.suppliers.conftest import carrier_a, supplier_a  # noqa: F401 - fixtures
