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
from tests.portal.jobs.builders import plan_a  # noqa: F401 - fixture
from tests.security.clock import clock  # noqa: F401 - fixture: the throttle's hand-moved clock
from tests.suppliers.conftest import (  # noqa: F401 - fixtures
    carrier_a,
    other_carrier_a,
    other_supplier_a,
    supplier_a,
    supplier_b,
)
