"""Refunds through the fake provider: partial, full, too much, by line, concurrent."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from catalog.models import Stock
from shop.core.errors import InvalidInput
from shop.orders.holds import Reservation, ReservationStatus
from shop.orders.models import Order, OrderEvent, OrderEventType, OrderLine, OrderStatus
from shop.payments.errors import NothingToRefund, RefundExceedsPaid, RefundLineInvalid
from shop.payments.models import FakeCharge, Payment, Refund, RefundStatus
from shop.payments.refunds import refund_create
from tests.factories import StaffFactory, order_with_stock
from tests.shop.payments.helpers import paid_order


def _snapshot(order):
    order = Order.objects.get(pk=order.pk)
    payment = Payment.objects.get(order=order, status="succeeded")
    return (
        order.status,
        order.amount_refunded,
        payment.amount_refunded,
        list(OrderLine.objects.filter(order=order).values_list("quantity_refunded", flat=True)),
        Refund.objects.filter(order=order).count(),
        OrderEvent.objects.filter(order=order).count(),
        FakeCharge.objects.get(reference=payment.provider_reference).amount_refunded,
    )


@pytest.mark.django_db
def test_partial_refund(spy, django_capture_on_commit_callbacks):
    order, payment = paid_order(quantity=2)  # 198.00
    staff = StaffFactory()
    line = order.lines.get()

    with django_capture_on_commit_callbacks(execute=True):
        refund = refund_create(
            order=order,
            amount=Decimal("99.00"),
            reason="one cup broken",
            user=staff,
            lines=[{"line_id": line.pk, "quantity": 1}],
        )

    assert (refund.status, refund.provider_reference, refund.created_by) == (
        RefundStatus.SUCCEEDED,
        f"fake_re_{refund.pk}",
        staff,
    )
    assert refund.lines == [{"line_id": line.pk, "quantity": 1}]
    order.refresh_from_db()
    payment.refresh_from_db()
    line.refresh_from_db()
    assert (order.status, order.amount_paid, order.amount_refunded) == (
        OrderStatus.PARTIALLY_REFUNDED,
        Decimal("198.00"),
        Decimal("99.00"),
    )
    assert payment.amount_refunded == Decimal("99.00")
    assert line.quantity_refunded == 1
    assert FakeCharge.objects.get(reference=payment.provider_reference).amount_refunded == Decimal(
        "99.00"
    )
    refunded = OrderEvent.objects.get(order=order, type=OrderEventType.REFUNDED)
    assert (refunded.from_status, refunded.to_status, refunded.user) == (
        OrderStatus.PAID,
        OrderStatus.PARTIALLY_REFUNDED,
        staff,
    )
    # Units still ship: their reservation stays confirmed.
    assert Reservation.objects.get(order_line=line).status == ReservationStatus.CONFIRMED
    assert spy.ledger_refunds == [refund.pk]
    assert spy.tasks == [("order_email_send", (order.pk, "refund_issued", refund.pk))]


@pytest.mark.django_db
def test_full_refund_before_shipping_gives_the_stock_back(spy):
    order, _payment = paid_order(quantity=2)
    stock = Stock.objects.get(variant=order.lines.get().variant)
    assert stock.quantity_reserved == 2

    refund_create(order=order, amount=Decimal("150.00"), reason="", user=None)
    refund_create(order=order, amount=Decimal("48.00"), reason="", user=None)

    order.refresh_from_db()
    stock.refresh_from_db()
    assert (order.status, order.amount_refunded) == (OrderStatus.REFUNDED, Decimal("198.00"))
    assert (stock.quantity, stock.quantity_reserved) == (10, 0)
    assert Reservation.objects.get(order_line__order=order).status == ReservationStatus.RELEASED
    assert len(spy.ledger_refunds) == 2
    with pytest.raises(NothingToRefund):
        refund_create(order=order, amount=Decimal("0.01"), reason="", user=None)


@pytest.mark.django_db
def test_full_refund_after_shipping_keeps_the_stock_as_shipped(spy):
    order, _payment = paid_order()
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.SHIPPED)
    Reservation.objects.filter(order_line__order=order).update(status=ReservationStatus.SHIPPED)
    order.refresh_from_db()

    refund_create(order=order, amount=Decimal("99.00"), reason="returned", user=None)

    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED
    assert Reservation.objects.get(order_line__order=order).status == ReservationStatus.SHIPPED


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("amount", "lines", "error"),
    [
        ("99.01", None, RefundExceedsPaid),
        ("0", None, InvalidInput),
        ("-5", None, InvalidInput),
        ("10.00", [{"line_id": 0, "quantity": 1}], RefundLineInvalid),
        ("10.00", "other_order_line", RefundLineInvalid),
        ("10.00", "too_many_units", RefundLineInvalid),
    ],
)
def test_refused_refunds_change_nothing(spy, amount, lines, error):
    order, _payment = paid_order()
    if lines == "other_order_line":
        other, _ = paid_order()
        lines = [{"line_id": other.lines.get().pk, "quantity": 1}]
    elif lines == "too_many_units":
        lines = [{"line_id": order.lines.get().pk, "quantity": 2}]
    before = _snapshot(order)

    with pytest.raises(error):
        refund_create(order=order, amount=Decimal(amount), reason="", user=None, lines=lines)

    assert _snapshot(order) == before
    assert spy.ledger_refunds == []


@pytest.mark.django_db
def test_unpaid_orders_have_nothing_to_refund():
    order = order_with_stock()

    with pytest.raises(NothingToRefund):
        refund_create(order=order, amount=Decimal("1.00"), reason="", user=None)

    assert Refund.objects.count() == 0


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_refunds_never_exceed_what_was_paid(spy):
    order, payment = paid_order(quantity=2)  # 198.00
    barrier = threading.Barrier(6)
    outcomes: list[str] = []

    def refund() -> None:
        try:
            barrier.wait()
            refund_create(order=order, amount=Decimal("60.00"), reason="", user=None)
            outcomes.append("ok")
        except RefundExceedsPaid:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=refund) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["ok"] * 3 + ["refused"] * 3
    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, order.amount_refunded) == (
        OrderStatus.PARTIALLY_REFUNDED,
        Decimal("180.00"),
    )
    assert payment.amount_refunded == Decimal("180.00")
    assert FakeCharge.objects.get(reference=payment.provider_reference).amount_refunded == Decimal(
        "180.00"
    )
    assert Refund.objects.filter(order=order, status=RefundStatus.SUCCEEDED).count() == 3
    assert len(spy.ledger_refunds) == 3
