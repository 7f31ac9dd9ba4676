"""The workspace tests sign in supplier and carrier members: the supplier-network fixtures."""

from tests.suppliers.conftest import (  # noqa: F401 - fixtures
    carrier_a,
    carrier_portal,
    other_carrier_a,
    other_supplier_a,
    supplier_a,
    supplier_portal,
)
