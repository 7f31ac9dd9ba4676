"""The dashboard's body is kept under the network's count of writes to the tables it reads (a statement-level
trigger on each: migration backoffice 0002) and drawn as of the minute (apps/backoffice/dashboard_page.py).

Each test asks for the page, sees a repeat view served from the cache (no card's statement runs), writes one kind
of row by a path that runs no service and no signal — queryset update(), create(), delete(), bulk_create, raw SQL —
and sees the very next request change. Without the trigger on the table written they fail (the kept body comes
back). Time alone moves what is drawn as of the minute; another network never gets the entry; a write still open
in another transaction keeps nothing."""

import re
from datetime import timedelta
from types import SimpleNamespace

import psycopg
import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.roles import Role
from apps.backoffice.dashboard_page import tables_change_state
from apps.backoffice.views.dashboard import dashboard_draw
from apps.core.money import format_minor
from apps.orders.models import JobProblem, Order, WorkItem
from apps.orders.status import OrderStatus, WorkItemStatus
from apps.suppliers.models import AssetOwner, OpeningHours
from tests.backoffice.builders import failed_transfer
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen():
    """A moment 5 s into a minute, clock stopped: a repeat view is in the same minute as the first."""
    moment = timezone.now().replace(second=5, microsecond=0) + timedelta(minutes=1)
    with time_machine.travel(moment, tick=False) as traveller:
        yield traveller


@pytest.fixture
def staff(client_a, tenant_a, make_user, planned, frozen):
    sign_in(client_a, tenant_a, make_user(tenant_a, Role.STAFF))
    connection.set_tenant(tenant_a)
    return client_a


def body_of(client) -> str:
    page = client.get("/backoffice/")
    assert page.status_code == 200
    html = page.content.decode()
    return html[html.index("<h1>Network dashboard</h1>") : html.index("</main>")]


def card(body: str, card_id: str) -> str:
    start = body.index(f'id="{card_id}"')
    return body[start : body.index("</section>", start)]


def kept_then(client, change) -> tuple[str, str]:
    """The body before `change()` — asked twice, the second time from the cache — and right after it."""
    before = body_of(client)
    with CaptureQueriesContext(connection) as queries:
        assert body_of(client) == before
    assert not [q["sql"] for q in queries if "orders_order" in q["sql"]], "a repeat view reads no card"
    change()
    return before, body_of(client)


def test_orders_by_state_after_a_queryset_update(staff, planned):
    before, after = kept_then(
        staff, lambda: Order.objects.filter(pk=planned.pk).update(status=OrderStatus.IN_PRODUCTION)
    )
    assert "Planned: 1" in before and "In production: 0" in before
    assert "Planned: 0" in after and "In production: 1" in after


def test_an_open_problem_created(staff, planned):
    item = planned.work_items.order_by("pk").first()

    def report():
        JobProblem.objects.create(work_item=item, order=planned, company_name="Acme", text="Oak is late")

    before, after = kept_then(staff, report)
    assert "No open problems." in card(before, "open-problems")
    assert "Oak is late" in card(after, "open-problems")


def test_problems_bulk_created_then_deleted(staff, planned):
    item = planned.work_items.order_by("pk").first()

    def report_two():
        JobProblem.objects.bulk_create(
            [
                JobProblem(work_item=item, order=planned, company_name="Acme", text=f"Trouble {n}")
                for n in (1, 2)
            ]
        )

    _, after = kept_then(staff, report_two)
    assert "Trouble 1" in card(after, "open-problems") and "Trouble 2" in card(after, "open-problems")
    _, gone = kept_then(staff, lambda: JobProblem.objects.filter(order=planned).delete())
    assert "No open problems." in card(gone, "open-problems")


def test_a_customers_name_changed_by_raw_sql(staff, planned):
    Order.objects.filter(pk=planned.pk).update(
        status=OrderStatus.PAID
    )  # waiting for a plan: on the late card
    name = planned.customer.get_full_name()

    def rename():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE accounts_user SET full_name = 'Renamed Customer' WHERE id = %s", [planned.customer_id]
            )

    before, after = kept_then(staff, rename)
    assert name in card(before, "late-orders") and "Renamed Customer" not in before
    assert "Renamed Customer" in card(after, "late-orders")


def test_an_offer_and_its_workshops_name(staff, planned):
    item = planned.work_items.order_by("pk").first()
    _, offered = kept_then(
        staff,
        lambda: WorkItem.objects.filter(pk=item.pk).update(
            status=WorkItemStatus.OFFERED, offer_deadline=timezone.now() + timedelta(hours=3)
        ),
    )
    assert item.name in card(offered, "unanswered-offers")
    _, renamed = kept_then(
        staff, lambda: AssetOwner.objects.filter(pk=item.asset_owner_id).update(name="Renamed Workshop")
    )
    assert "Renamed Workshop" in card(renamed, "unanswered-offers")


def test_a_failed_transfer(staff, planned):
    item = planned.work_items.order_by("pk").first()

    before, after = kept_then(staff, lambda: failed_transfer(planned, item))
    assert "Every released transfer went out." in card(before, "failed-transfers")
    assert "No such destination" in card(after, "failed-transfers")


def test_opening_hours_move_the_utilisation_chart(staff, planned):
    resource_id = planned.work_items.order_by("pk").first().resource_id
    before, after = kept_then(staff, lambda: OpeningHours.objects.filter(resource_id=resource_id).delete())
    assert before != after


def test_time_alone_moves_a_problems_age_and_an_offers_deadline(staff, planned, frozen):
    """Kept within the minute, but each text that moves with time turns at its own moment."""
    item = planned.work_items.order_by("pk").first()
    JobProblem.objects.create(work_item=item, order=planned, company_name="Acme", text="Oak is late")
    WorkItem.objects.filter(pk=item.pk).update(
        status=WorkItemStatus.OFFERED, offer_deadline=timezone.now() + timedelta(minutes=4, seconds=30)
    )
    assert "0\xa0minutes ago" in card(body_of(staff), "open-problems")
    frozen.shift(timedelta(minutes=1, seconds=58))  # 2 s before the problem is 2 minutes old
    assert "1\xa0minute ago" in card(body_of(staff), "open-problems")
    frozen.shift(timedelta(seconds=1))
    assert "1\xa0minute ago" in card(body_of(staff), "open-problems")
    frozen.shift(timedelta(seconds=1))
    assert "2\xa0minutes ago" in card(body_of(staff), "open-problems")
    frozen.shift(timedelta(minutes=2, seconds=29))  # 1 s before the deadline
    assert "answer deadline passed" not in card(body_of(staff), "unanswered-offers")
    frozen.shift(timedelta(seconds=1))
    assert "answer deadline passed" in card(body_of(staff), "unanswered-offers")


def test_the_last_days_move_with_the_minute(staff, planned, frozen):
    """What is drawn as of the minute (the 30 days of order value, the 90 of punctuality, the utilisation window)
    moves when the minute does: a paid order leaves the value chart's window with no write."""
    frozen.move_to(
        timezone.now().replace(hour=12, minute=0, second=5, microsecond=0)
    )  # days away from midnight
    total = Order.objects.get(pk=planned.pk).total_minor
    Order.objects.filter(pk=planned.pk).update(paid_at=timezone.now() - timedelta(days=29))
    shown = format_minor(total, planned.currency)
    assert total and shown in body_of(staff)
    frozen.shift(timedelta(days=1))
    assert shown not in body_of(staff)


def test_another_network_never_gets_the_kept_body(staff, planned, client_b, tenant_b, make_user):
    JobProblem.objects.create(
        work_item=planned.work_items.first(), order=planned, company_name="Acme", text="Alpha secret trouble"
    )
    assert "Alpha secret trouble" in body_of(staff)
    sign_in(client_b, tenant_b, make_user(tenant_b, Role.STAFF))
    assert "Alpha secret trouble" not in body_of(client_b)


def test_a_write_still_open_elsewhere_keeps_nothing(staff, tenant_a):
    """A sequence's number is visible before its writer commits: a body drawn meanwhile would miss the write and
    be kept under its number. The writer's lock says it is still open; nothing is kept until it ends."""
    assert tables_change_state()[1]
    settings = connection.settings_dict
    with psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        host=settings["HOST"],
        port=settings["PORT"],
        options=f"-c search_path={tenant_a.schema_name}",
    ) as writer:
        writer.execute("UPDATE orders_order SET status = status WHERE false")  # a write statement, still open
        state, settled = tables_change_state()
        assert not settled
        body_of(staff)
        with CaptureQueriesContext(connection) as queries:
            body_of(staff)
        assert [q for q in queries if "orders_order" in q["sql"]], "drawn again: nothing was kept"
        writer.commit()
    assert tables_change_state() == (state, True)


def test_every_table_the_body_reads_counts_its_writes(staff, tenant_a):
    cache.clear()  # the utilisation entry too: every read the body makes
    request = SimpleNamespace(tenant=tenant_a)
    now = timezone.now()
    with CaptureQueriesContext(connection) as queries:
        dashboard_draw(request, now=now, as_of=now.replace(second=0))
    read = {name for q in queries for name in re.findall(r'(?:FROM|JOIN)\s+"?(\w+)"?', q["sql"])}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = 'backoffice_changed' AND c.relnamespace = %s::regnamespace",
            [tenant_a.schema_name],
        )
        watched = {row[0] for row in cursor.fetchall()}
    assert {"orders_order", "orders_workitem", "suppliers_openinghours"} <= read
    assert read - watched == set()


def test_each_network_counts_its_own_writes_into_its_own_counter(tenant_a, tenant_b, in_tenant_a):
    """Both networks are clones of the template: each trigger draws from its own schema's sequence."""

    def states():
        connection.set_tenant(tenant_b)
        b = tables_change_state()[0]
        connection.set_tenant(tenant_a)
        return tables_change_state()[0], b

    alpha, beta = states()
    assert alpha.split(":")[0] != beta.split(":")[0], "one counter per network"
    Order.objects.filter(pk=-1).update(status=OrderStatus.PAID)  # a write statement, even of no row
    after_alpha, after_beta = states()
    assert after_alpha != alpha and after_beta == beta


def test_the_cache_lets_go_of_the_body_when_it_stops_holding(staff):
    """Kept until the next minute at the latest: the cache entry expires then too, not a day later."""
    body_of(staff)
    client = cache._cache.get_client()
    ttls = [client.ttl(key) for key in client.scan_iter("*page-body:dashboard:*")]
    assert ttls and all(0 < ttl <= 61 for ttl in ttls), ttls
