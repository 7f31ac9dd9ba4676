"""Staff's order desk: filters, the order with everything inline, and the actions (re-plan, cancel and refund,
mark disputed, approve a refund request) going through the services."""

import pytest
from django.utils import timezone

from apps.accounts.roles import Role
from apps.orders.models import JobProblem, Order, OrderEvent, RefundRequest
from apps.orders.scope import Scope
from apps.orders.services import refund_request_create, work_item_problem_report
from apps.orders.status import OrderStatus
from apps.outbox.models import OutboxMessage
from tests.conftest import sign_in
from tests.orders.conftest import place_order

pytestmark = pytest.mark.django_db


def test_order_list_and_filters(staff_a, planned, customer, table):
    awaiting = place_order(customer, (table.current_version, 3))
    page = staff_a.get("/admin/orders/order/")
    assert page.status_code == 200
    assert planned.reference.encode() in page.content and awaiting.reference.encode() in page.content
    only_planned = staff_a.get("/admin/orders/order/?status=planned")
    assert (
        planned.reference.encode() in only_planned.content
        and awaiting.reference.encode() not in only_planned.content
    )
    supplier = planned.work_items.first().asset_owner_id
    by_supplier = staff_a.get(f"/admin/orders/order/?supplier={supplier}")
    assert (
        planned.reference.encode() in by_supplier.content
        and awaiting.reference.encode() not in by_supplier.content
    )
    late = staff_a.get("/admin/orders/order/?late=yes")
    assert late.status_code == 200
    assert (planned.reference.encode() in late.content) == planned.is_late
    midnight = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
    today = staff_a.get("/admin/orders/order/", {"created_at__gte": midnight.isoformat()})
    assert today.status_code == 200 and planned.reference.encode() in today.content
    before = staff_a.get("/admin/orders/order/", {"created_at__lt": midnight.isoformat()})
    assert planned.reference.encode() not in before.content


def test_order_detail_shows_events_items_and_legs_inline(staff_a, planned):
    page = staff_a.get(f"/admin/orders/order/{planned.pk}/change/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Payment received" in body and planned.work_items.first().name in body and "Transport legs" in body


def test_replan_action_asks_matching_by_task_name(staff_a, planned):
    response = staff_a.post(
        "/admin/orders/order/", {"action": "replan", "_selected_action": [planned.pk]}, follow=True
    )
    assert response.status_code == 200
    assert OutboxMessage.objects.filter(
        task_name="matching.replan_order", kwargs__order_id=planned.pk
    ).exists()


def test_cancel_and_refund_action(staff_a, paid):
    staff_a.post("/admin/orders/order/", {"action": "cancel_and_refund", "_selected_action": [paid.pk]})
    order = Order.objects.get(pk=paid.pk)
    assert order.status == OrderStatus.CANCELLED and order.refunded_minor == order.total_minor


def test_mark_disputed_action(staff_a, paid):
    staff_a.post("/admin/orders/order/", {"action": "mark_disputed", "_selected_action": [paid.pk]})
    assert Order.objects.get(pk=paid.pk).status == OrderStatus.DISPUTED


def test_approve_refund_request_action(staff_a, paid, customer):
    Order.objects.filter(pk=paid.pk).update(status=OrderStatus.DELIVERED, delivered_at=timezone.now())
    request = refund_request_create(order_id=paid.pk, customer=customer, reason="Dent", amount_minor=700)
    staff_a.post("/admin/orders/refundrequest/", {"action": "approve", "_selected_action": [request.pk]})
    assert RefundRequest.objects.get(pk=request.pk).status == "approved"
    order = Order.objects.get(pk=paid.pk)
    assert order.status == OrderStatus.REFUNDED and order.refunded_minor == 700
    assert order.refunds.get().stripe_refund_id.startswith("re_")


def test_customers_cannot_open_the_order_admin(client_a, tenant_a, customer, paid):
    sign_in(client_a, tenant_a, customer)
    response = client_a.get("/admin/orders/order/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


# --- problems from suppliers --------------------------------------------------------------------------------

PROBLEMS = "/admin/orders/jobproblem/"


@pytest.fixture
def problems(planned):
    first, second = planned.work_items.order_by("pk")[:2]
    return [
        work_item_problem_report(
            work_item_id=first.pk, actor=None, reason="Oak delivery is late", scope=Scope.SYSTEM
        ),
        work_item_problem_report(
            work_item_id=second.pk, actor=None, reason="Paint ran out", scope=Scope.SYSTEM
        ),
    ]


def test_staff_resolve_problems_from_the_list_with_a_note(staff_a, problems):
    listing = staff_a.get(PROBLEMS)
    assert listing.status_code == 200 and b"Oak delivery is late" in listing.content
    selected = [p.pk for p in problems]
    ask = staff_a.post(PROBLEMS, {"action": "mark_resolved", "_selected_action": selected})
    assert ask.status_code == 200 and b'name="note"' in ask.content and b"Paint ran out" in ask.content
    empty = staff_a.post(
        PROBLEMS, {"action": "mark_resolved", "_selected_action": selected, "apply": "1", "note": " "}
    )
    assert empty.status_code == 200 and b"This field is required" in empty.content
    assert set(JobProblem.objects.values_list("status", flat=True)) == {"open"}
    done = staff_a.post(
        PROBLEMS,
        {"action": "mark_resolved", "_selected_action": selected, "apply": "1", "note": "Called them"},
    )
    assert done.status_code == 302
    for problem in JobProblem.objects.filter(pk__in=selected):
        assert (problem.status, problem.resolution_note) == ("resolved", "Called them")
        assert problem.resolved_by.has_role(Role.STAFF) and problem.resolved_at is not None
    assert OrderEvent.objects.filter(reason__contains="resolved: Called them").count() == 2


def test_the_order_page_lists_its_problems_with_links_to_them(staff_a, planned, problems):
    body = staff_a.get(f"/admin/orders/order/{planned.pk}/change/").content.decode()
    assert "Problems from suppliers" in body
    for problem in problems:
        assert problem.text in body and f"{PROBLEMS}{problem.pk}/change/" in body


def test_staff_resolve_one_problem_from_its_page(staff_a, problems):
    problem = problems[0]
    page = staff_a.get(f"{PROBLEMS}{problem.pk}/change/")
    resolve_url = f"{PROBLEMS}{problem.pk}/resolve/"
    assert page.status_code == 200 and resolve_url.encode() in page.content
    assert b'name="_save"' not in page.content  # the report itself is read-only
    assert staff_a.post(f"{PROBLEMS}{problem.pk}/change/", {"text": "rewritten"}).status_code == 403
    form = staff_a.get(resolve_url)
    assert form.status_code == 200 and b"Oak delivery is late" in form.content
    assert staff_a.post(resolve_url, {"note": ""}).status_code == 200
    assert JobProblem.objects.get(pk=problem.pk).status == "open"
    done = staff_a.post(resolve_url, {"note": "New oak ships Monday"})
    assert done.status_code == 302 and done["Location"] == f"{PROBLEMS}{problem.pk}/change/"
    stored = JobProblem.objects.get(pk=problem.pk)
    assert (stored.status, stored.resolution_note, stored.text) == (
        "resolved",
        "New oak ships Monday",
        "Oak delivery is late",
    )
    again = staff_a.post(resolve_url, {"note": "Second thoughts"}, follow=True)
    assert b"already resolved" in again.content
    assert JobProblem.objects.get(pk=problem.pk).resolution_note == "New oak ships Monday"
    assert JobProblem.objects.get(pk=problems[1].pk).status == "open"


def test_finance_may_look_at_problems_but_not_resolve_them(client_a, tenant_a, make_user, problems):
    sign_in(client_a, tenant_a, make_user(tenant_a, Role.FINANCE))
    listing = client_a.get(PROBLEMS)
    assert listing.status_code == 200 and b"mark_resolved" not in listing.content
    page = client_a.get(f"{PROBLEMS}{problems[0].pk}/change/")
    assert page.status_code == 200 and b"Oak delivery is late" in page.content
    assert f"{PROBLEMS}{problems[0].pk}/resolve/".encode() not in page.content  # no button finance cannot use
    assert client_a.get(f"{PROBLEMS}{problems[0].pk}/resolve/").status_code == 403
    assert client_a.post(f"{PROBLEMS}{problems[0].pk}/resolve/", {"note": "x"}).status_code == 403
    assert JobProblem.objects.get(pk=problems[0].pk).status == "open"


def test_customers_and_suppliers_cannot_open_problems(client_a, tenant_a, customer, make_user, problems):
    for user in (customer, make_user(tenant_a, Role.SUPPLIER_MEMBER)):
        sign_in(client_a, tenant_a, user)
        for url in (PROBLEMS, f"{PROBLEMS}{problems[0].pk}/resolve/"):
            response = client_a.get(url)
            assert response.status_code == 302 and "/admin/login/" in response["Location"], url


def test_finance_cannot_replan_from_the_back_office(finance_a, planned):
    response = finance_a.post(f"/backoffice/matching/orders/{planned.pk}/replan/", {"reason": "Because"})
    assert response.status_code == 404
    assert not OutboxMessage.objects.filter(
        task_name="matching.replan_order", kwargs__order_id=planned.pk
    ).exists()
