"""A designer's sales and statements (apps/payouts/designer_earnings.py): per product and period, only paid
orders, only the designer's own lines; another designer's order is nobody's business."""

from datetime import UTC, datetime

from apps.catalog.models import ProductTemplate
from apps.orders.models import Order, OrderLine
from apps.orders.status import OrderStatus
from apps.payouts.designer_earnings import designer_sales, designer_statement_for_order
from apps.payouts.profit_share.statements import statement_refresh_for_order
from tests.designers.factories import make_designer
from tests.payouts.money_builders import make_order


def _sold(
    designer, *, paid_at, quantity=1, total=10_000, royalty=1_000, status=OrderStatus.PAID, template=None
):
    order = make_order(total_minor=total, status=status)
    Order.objects.filter(pk=order.pk).update(paid_at=paid_at)
    line = OrderLine.objects.get(order=order)
    OrderLine.objects.filter(pk=line.pk).update(designer=designer, royalty_minor=royalty, quantity=quantity)
    if template is not None:
        line.design_version.design.template = template
        line.design_version.design.save(update_fields=["template"])
    return order, line


def test_sales_are_per_product_and_month_and_count_only_paid_orders(in_tenant_a):
    ada, bob = make_designer("Ada"), make_designer("Bob")
    lamp = ProductTemplate.objects.create(name="Lamp", slug="earn-lamp", category="x", designer=ada)
    november, december = datetime(2026, 11, 3, tzinfo=UTC), datetime(2026, 12, 2, tzinfo=UTC)
    _sold(ada, paid_at=november, quantity=2, template=lamp)
    _sold(ada, paid_at=december, quantity=3, template=lamp, total=20_000, royalty=3_000)
    _sold(ada, paid_at=december, quantity=1, template=lamp, status=OrderStatus.COMPLETED)
    _sold(ada, paid_at=december, template=lamp, status=OrderStatus.CANCELLED)  # never a sale
    _sold(ada, paid_at=None, template=lamp, status=OrderStatus.AWAITING_PAYMENT)  # not paid
    _sold(bob, paid_at=december)  # another designer's
    rows = designer_sales(designer=ada)
    assert [(r.period.month, r.product, r.orders, r.units, r.sales_minor, r.royalty_minor) for r in rows] == [
        (12, "Lamp", 2, 4, 30_000, 4_000),
        (11, "Lamp", 1, 2, 10_000, 1_000),
    ]
    only_december = designer_sales(designer=ada, start=datetime(2026, 12, 1, tzinfo=UTC))
    assert [r.period.month for r in only_december] == [12]


def test_a_statement_is_the_designers_own_lines_and_another_designer_gets_none(in_tenant_a):
    ada, bob = make_designer("Ada"), make_designer("Bob")
    order, line = _sold(ada, paid_at=datetime(2026, 12, 2, tzinfo=UTC))
    statement_refresh_for_order(order_id=order.pk)
    statement = designer_statement_for_order(designer=ada, order_id=order.pk)
    assert statement.amount_minor == 1_000
    assert [part.order_line_id for part in statement.parts.all()] == [line.pk]
    assert designer_statement_for_order(designer=bob, order_id=order.pk) is None
    assert designer_statement_for_order(designer=ada, order_id="not-a-number") is None
    assert designer_statement_for_order(designer=ada, order_id=10**30) is None
