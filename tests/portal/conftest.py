"""The portal tests use the supplier-network fixtures."""

from tests.suppliers.conftest import (  # noqa: F401 - fixtures
    applicant_a,
    carrier_a,
    carrier_b,
    carrier_portal,
    other_carrier_a,
    other_supplier_a,
    supplier_a,
    supplier_b,
    supplier_portal,
)
