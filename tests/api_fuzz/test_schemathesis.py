"""Property-based fuzzing of the whole REST API from its own OpenAPI schema (schemathesis).

The schema is the one network alpha serves at /api/schema/. Every operation is called in-process through
Django's test request handler (same database connection and transaction as the test) as each role, with that
user's API token (or none):

- a customer with a design, a cart line and an order waiting for payment;
- a supplier member whose company has a resource with opening hours and a calendar exception, and jobs;
- a carrier member whose company has legs to drive;
- platform staff and finance (who own none of it: the storefront, supplier and carrier endpoints answer 4xx);
- an anonymous caller without a token (the public catalog, validation and quotes; 401 everywhere else).

Generated path parameters are sometimes swapped for the ids of rows the role really owns, so the fuzzer reaches
the services behind the lookups instead of only meeting 404s. Every response must be a non-5xx that conforms to
the schema (documented status code, body, content type and headers). Examples are derandomized (CI sees the
same cases each run); set API_FUZZ_RANDOM=1 for an exploratory run with fresh random data, API_FUZZ_EXAMPLES to change the bound.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import time, timedelta

import pytest
import schemathesis
from django.test import Client
from django.test.client import ClientHandler
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from apps.accounts.models import ApiToken
from apps.accounts.roles import Role
from apps.accounts.services import user_create
from apps.accounts.tokens import token_create
from apps.demo.orders import plan_apply_simple
from apps.orders.models import CartLine, TransportLeg, WorkItem
from apps.orders.services import cart_line_add
from apps.suppliers.services import calendar_exception_add, opening_hours_replace, participant_member_add
from apps.suppliers.status import MemberRole
from tests.conftest import PASSWORD
from tests.orders.conftest import design_for, pay, place_order, tomorrow_morning
from tests.uploads.conftest import stored_part

HOST = "alpha.localhost"
MAX_EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "12"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,  # every status the API answers is documented (apps/core/api/schema.py)
    response_schema_conformance,
    content_type_conformance,
    response_headers_conformance,
]
ROLES = ["customer", "supplier", "carrier", "staff", "finance", "anonymous"]


class InProcessWSGI:
    """A WSGI application over Django's test request handler: it keeps the test's database connection and
    transaction open between requests (the plain WSGIHandler would close it at the end of every request)."""

    def __init__(self):
        self.handler = ClientHandler(enforce_csrf_checks=True)

    def __call__(self, environ, start_response):
        response = self.handler(environ)
        headers = [*response.items()]
        headers += [("Set-Cookie", morsel.OutputString()) for morsel in response.cookies.values()]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        return response


@dataclass
class FuzzSession:
    role: str
    token: str
    # Path parameter name → ids this role really owns, per path prefix (first match wins).
    known: list[tuple[str, dict[str, list]]] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        if not self.token:  # anonymous
            return {"Host": HOST}
        return {"Authorization": f"Token {self.token}", "Host": HOST}

    def known_for(self, path: str) -> dict[str, list]:
        for prefix, values in self.known:
            if path.startswith(prefix):
                return values
        return {}


@pytest.fixture(scope="session")
def raw_api_schema(django_db_setup, django_db_blocker, tenant_a) -> dict:
    """The OpenAPI document exactly as network alpha serves it."""
    with django_db_blocker.unblock():
        response = Client(HTTP_HOST=HOST).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200, response.content[:500]
    return json.loads(response.content)


def _customer_rows(owner, design) -> list[tuple[str, dict[str, list]]]:
    """An order waiting for payment, a second design, a cart line and an uploaded part."""
    awaiting = place_order(owner, (design.current_version, 1))
    second = design_for(owner, design.template, "Second table")
    cart_line_add(customer=owner, design_version=second.current_version, quantity=2)
    line = CartLine.objects.filter(cart__customer=owner).first()
    part = stored_part(owner).upload
    return [
        ("/api/v1/uploads/", {"upload_id": [str(part.pk)]}),
        ("/api/v1/designs/", {"design_id": [design.pk, second.pk]}),
        ("/api/v1/orders/", {"order_id": [awaiting.pk]}),
        ("/api/v1/cart/lines/", {"line_id": [line.pk]}),
        ("/api/v1/catalog/templates/", {"slug": [design.template.slug]}),
    ]


def _colleague_rows(participant, user, role: Role, prefix: str) -> list[tuple[str, dict[str, list]]]:
    """An operator colleague the fuzzer may remove through DELETE …/members/{id}/; the fuzzer's own membership
    gets an id no generated integer is likely to hit, so it does not remove itself half-way."""
    colleague = user_create(email=f"fuzz-colleague-{role}@example.test", password=PASSWORD, role=role)
    spare = participant_member_add(participant=participant, user=colleague, role=MemberRole.OPERATOR)
    own = type(spare).objects.get(user=user)
    type(spare).objects.filter(pk=own.pk).update(id=own.pk + 987_654_321)
    return [(f"{prefix}members/", {"id": [spare.pk]})]


def _supplier_rows(user) -> list[tuple[str, dict[str, list]]]:
    """The member joins the workshop that holds the planned order's first job (a user has one company)."""
    owner = WorkItem.objects.order_by("pk").first().asset_owner
    participant_member_add(participant=owner, user=user, role=MemberRole.OWNER)
    resource = owner.resources.order_by("pk").first()
    opening_hours_replace(resource=resource, intervals=[(day, time(8), time(17)) for day in range(5)])
    starts = timezone.now() + timedelta(days=10)
    exception = calendar_exception_add(
        resource=resource,
        kind="closed",
        starts_at=starts,
        ends_at=starts + timedelta(days=1),
        reason="Maintenance",
    )
    hours = list(resource.opening_hours.values_list("pk", flat=True))
    jobs = list(WorkItem.objects.filter(asset_owner=owner).values_list("pk", flat=True))
    return [
        (
            "/api/v1/supplier/resources/",
            {"resource_pk": [resource.pk], "id": [resource.pk, *hours, exception.pk]},
        ),
        ("/api/v1/supplier/jobs/", {"id": jobs}),
        *_colleague_rows(owner, user, Role.SUPPLIER_MEMBER, "/api/v1/supplier/"),
    ]


def _carrier_rows(user) -> list[tuple[str, dict[str, list]]]:
    """The member joins the carrier that drives the planned order's legs."""
    carrier = TransportLeg.objects.exclude(carrier=None).order_by("pk").first().carrier
    participant_member_add(participant=carrier, user=user, role=MemberRole.OWNER)
    legs = list(TransportLeg.objects.filter(carrier=carrier).values_list("pk", flat=True))
    return [
        ("/api/v1/carrier/legs/", {"id": legs}),
        *_colleague_rows(carrier, user, Role.CARRIER_MEMBER, "/api/v1/carrier/"),
    ]


@pytest.fixture(params=ROLES)
def fuzz_session(request, tenant_a, network_a, customer, table) -> FuzzSession:
    """One role's user and token in alpha, with rows it owns (rolled back after the test)."""
    role = request.param
    # The network's first order, planned: jobs and legs exist for the supplier and carrier to act on.
    placed = place_order(customer, (table.current_version, 1))
    assert pay(placed).status == "paid"
    plan_apply_simple(placed, start=tomorrow_morning())
    if role == "anonymous":
        return FuzzSession(role=role, token="", known=[("/api/v1/catalog/", {"slug": [table.template.slug]})])
    if role == "customer":
        user, known = customer, _customer_rows(customer, table)
    elif role == "supplier":
        user = user_create(email="fuzz-supplier@example.test", password=PASSWORD, role=Role.SUPPLIER_MEMBER)
        known = _supplier_rows(user)
    elif role == "carrier":
        user = user_create(email="fuzz-carrier@example.test", password=PASSWORD, role=Role.CARRIER_MEMBER)
        known = _carrier_rows(user)
    elif role == "finance":
        user, known = user_create(email="fuzz-finance@example.test", password=PASSWORD, role=Role.FINANCE), []
    else:
        user, known = user_create(email="fuzz-staff@example.test", password=PASSWORD, role=Role.STAFF), []
    # A token of its own the fuzzer may revoke through DELETE /api/v1/account/tokens/{id}/; the session's token
    # gets an id no generated integer is likely to hit, so the fuzzer does not lock itself out half-way.
    spare = token_create(user=user, name="spare", expires_in_days=None).token
    issued = token_create(user=user, name="fuzzer", expires_in_days=None)
    ApiToken.objects.filter(pk=issued.token.pk).update(id=issued.token.pk + 987_654_321)
    known.append(("/api/v1/account/tokens/", {"id": [spare.pk]}))
    return FuzzSession(role=role, token=issued.secret, known=known)


def _load_schema(raw: dict):
    schema = schemathesis.openapi.from_dict(json.loads(json.dumps(raw)))
    schema.app = InProcessWSGI()
    return schema


def _fuzz(operation, session: FuzzSession) -> None:
    """Valid and invalid requests to one operation; raises the first failure hypothesis could shrink to."""
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
    )

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=os.environ.get("API_FUZZ_RANDOM") != "1",
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases, data=st.data())
    def run(case, data):
        known = session.known_for(operation.path)
        for name, values in known.items():
            if (
                values
                and name in (case.path_parameters or {})
                and data.draw(st.booleans(), label=f"real {name}")
            ):
                case.path_parameters[name] = data.draw(st.sampled_from(values), label=name)
        case.call_and_validate(base_url=f"http://{HOST}", headers=session.headers, checks=CHECKS)

    run()


def test_api_answers_within_its_schema_for_every_role(raw_api_schema, fuzz_session):
    """No operation answers 5xx, and every response matches what the schema documents for it."""
    own = {
        "customer": "/api/v1/cart/",
        "supplier": "/api/v1/supplier/profile/",
        "carrier": "/api/v1/carrier/profile/",
    }
    probe = Client(HTTP_HOST=HOST, headers={k: v for k, v in fuzz_session.headers.items() if k != "Host"})
    if fuzz_session.role == "anonymous":
        assert probe.get("/api/v1/catalog/templates/").status_code == 200
        assert probe.get("/api/v1/cart/").status_code == 401
    else:
        assert probe.get(own.get(fuzz_session.role, "/api/v1/designs/")).status_code == 200, (
            "the token does not work"
        )
    schema = _load_schema(raw_api_schema)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 50, "the schema lost operations"
    failures = []
    for operation in operations:
        try:
            _fuzz(operation, fuzz_session)
        except (
            Exception,
            BaseExceptionGroup,
        ) as error:  # every operation's failure is reported, not the first only
            failures.append(f"{operation.label}: {type(error).__name__}: {str(error)[:3000]}")
    assert not failures, f"{len(failures)} operation(s) failed as {fuzz_session.role}:\n\n" + "\n\n".join(
        failures
    )
