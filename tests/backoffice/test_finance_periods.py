"""Finance's date filters: a date far in the future (the day after 9999-12-31 overflowed, a 500) or a
malformed one is a 400 saying which dates are accepted, inline on the statements page."""

import pytest

from apps.accounts.roles import Role
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance(client_a, tenant_a, make_user):
    return sign_in(client_a, tenant_a, make_user(tenant_a, Role.FINANCE))


@pytest.mark.parametrize(
    "query",
    ["start=2026-01-01&end=9999-12-31", "start=0001-01-01&end=2026-01-01", "start=2026-13-01"],
    ids=["far-future", "far-past", "malformed"],
)
def test_statement_period_out_of_range_is_an_inline_400(finance, query):
    response = finance.get(f"/backoffice/finance/statements/?{query}")
    assert response.status_code == 400
    assert "Dates are" in response.context["period_error"]
    assert b'role="alert"' in response.content


@pytest.mark.parametrize("export", ["ledger", "statements"])
def test_exports_refuse_a_period_they_cannot_compute(finance, export):
    response = finance.get(f"/backoffice/finance/export/{export}.csv?start=2026-01-01&end=9999-12-31")
    assert response.status_code == 400


def test_a_period_within_range_still_works(finance):
    assert finance.get("/backoffice/finance/statements/?start=2999-12-01&end=2999-12-31").status_code == 200


@pytest.mark.parametrize(("order", "status"), [("²", 200), ("-1", 200), ("99999999999999999999", 404)])
def test_the_matching_runs_order_filter_takes_any_text(client_a, tenant_a, make_user, order, status):
    """ "²" passed str.isdigit() and then failed int() (a 500): text that is no id is no filter, and an id
    beyond any row is no order."""
    staff = sign_in(client_a, tenant_a, make_user(tenant_a, Role.STAFF))
    assert staff.get("/backoffice/matching/", {"order": order}).status_code == status
