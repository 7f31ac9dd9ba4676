"""The matching pages of the back office: staff only, live progress, explanation, re-plan button, 404 elsewhere."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from apps.accounts.roles import Role
from apps.matching.models import MatchingRun, RunMode, RunStatus
from apps.matching.services import order_commit
from tests.conftest import sign_in
from tests.matching.builders import design_version, full_workshop, paid_order


@pytest.fixture
def committed(fast_matching, customer, carrier):
    _, resources = full_workshop("Works")
    order = paid_order(customer, design_version(customer))
    return order, order_commit(order_id=order.pk), resources


def test_staff_see_runs_and_the_explanation(staff_a, committed):
    order, run, resources = committed
    listing = staff_a.get("/backoffice/matching/")
    assert listing.status_code == 200
    assert f"#{run.pk}" in listing.content.decode() and order.reference in listing.content.decode()
    page = staff_a.get(f"/backoffice/matching/runs/{run.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="run-explanation"' in html and resources["laser_cutting"].name in html
    assert ">chosen<" in html and 'id="run-gap"' in html
    assert 'hx-trigger="every 1s"' not in html, "a finished run stops polling"
    assert "Re-plan now" in html


def test_a_running_run_polls_with_elapsed_time_objective_and_bound(staff_a, in_tenant_a):
    run = MatchingRun.objects.create(
        mode=RunMode.COMMIT,
        status=RunStatus.RUNNING,
        started_at=timezone.now() - timedelta(seconds=5),
        progress_objective=123456.0,
        progress_bound=120000.0,
    )
    fragment = staff_a.get(f"/backoffice/matching/runs/{run.pk}/", HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in html
    assert 'hx-trigger="every 1s"' in html and "123,456 points" in html and "120,000 points" in html
    assert 'id="run-elapsed"' in html
    listing = staff_a.get("/backoffice/matching/", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in listing


def test_queued_run_says_it_waits(staff_a, in_tenant_a):
    run = MatchingRun.objects.create(mode=RunMode.REPLAN)
    html = staff_a.get(f"/backoffice/matching/runs/{run.pk}/").content.decode()
    assert "for a worker to pick it up" in html and 'hx-trigger="every 1s"' in html


def test_replan_button_queues_a_run(staff_a, committed):
    order, _, _ = committed
    response = staff_a.post(f"/backoffice/matching/orders/{order.pk}/replan/", {"reason": "Customer called"})
    run = MatchingRun.objects.filter(order=order, mode=RunMode.REPLAN).get()
    assert response.status_code == 302 and response["Location"] == f"/backoffice/matching/runs/{run.pk}/"
    assert (run.status, run.reason, run.parameters) == (RunStatus.QUEUED, "Customer called", {"wide": True})
    assert run.requested_by is not None
    # The flash stays on screen while the run moves on: it says what stays true, the live region the state.
    flash = (
        staff_a.get(response["Location"]).content.decode().split('<ul class="messages"')[1].split("</ul>")[0]
    )
    assert f"You asked for a re-plan of {order.reference}" in flash and "queued" not in flash.lower()


def test_pages_are_for_staff_only(client_a, tenant_a, make_user, committed):
    _, run, _ = committed
    assert client_a.get("/backoffice/matching/").status_code == 302  # anonymous: to the login page
    sign_in(client_a, tenant_a, make_user(tenant_a, Role.CUSTOMER))
    assert client_a.get("/backoffice/matching/").status_code == 404
    assert client_a.get(f"/backoffice/matching/runs/{run.pk}/").status_code == 404
    assert client_a.post(f"/backoffice/matching/orders/{run.order_id}/replan/").status_code == 404
    assert not MatchingRun.objects.filter(mode=RunMode.REPLAN).exists()


def test_another_network_gets_404(client_b, tenant_b, make_user, committed):
    order, run, _ = committed
    with schema_context(tenant_b.schema_name):
        assert not MatchingRun.objects.filter(pk=run.pk).exists()
    sign_in(client_b, tenant_b, make_user(tenant_b, Role.STAFF))
    assert client_b.get(f"/backoffice/matching/runs/{run.pk}/").status_code == 404
    assert client_b.post(f"/backoffice/matching/orders/{order.pk}/replan/").status_code == 404
    assert f"#{run.pk}<" not in client_b.get("/backoffice/matching/").content.decode()


def test_an_orders_runs_with_its_replan_button(staff_a, committed, client_b, tenant_b, make_user):
    order, run, _ = committed
    html = staff_a.get(f"/backoffice/matching/?order={order.pk}").content.decode()
    assert f"of order {order.reference}" in html and f"#{run.pk}" in html
    assert f'action="/backoffice/matching/orders/{order.pk}/replan/"' in html
    sign_in(client_b, tenant_b, make_user(tenant_b, Role.STAFF))
    assert client_b.get(f"/backoffice/matching/?order={order.pk}").status_code == 404
