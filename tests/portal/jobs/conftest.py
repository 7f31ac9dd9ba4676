"""Portal job and leg fixtures: the supplier-network companies (tests/suppliers) and a planned order."""

from tests.portal.conftest import (  # noqa: F401 - fixtures
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
from tests.portal.jobs.builders import (  # noqa: F401 - fixtures
    made_a,
    plan_a,
    ready_a,
)
