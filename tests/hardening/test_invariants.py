"""The invariant check finds each kind of broken book, and the command reports them."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from catalog.models import Stock
from partners.models import DailyTotals, MonthlyProductSales
from partners.reports.rollups import report_rows_current
from shop.ops.invariants import Violation, invariants_check
from shop.orders.models import Order, OrderStatus
from shop.payments.models import Payment, Refund, RefundStatus
from shop.payments.refunds import refund_create
from shop.payments.services import payment_fake_complete, payment_start
from tests.factories import OrderFactory, order_with_stock, stock_with_units
from tests.shop.payments.helpers import paid_order, priced_variant

pytestmark = pytest.mark.django_db


def _rules() -> list[tuple[str, str]]:
    return [(v.rule, v.subject) for v in invariants_check()]


def test_a_consistent_shop_has_no_violations():
    order_with_stock()
    paid_order(quantity=2)
    assert invariants_check() == []


def test_stock_that_does_not_match_its_movements_or_reservations_is_found():
    stock = stock_with_units(quantity=5)
    Stock.objects.filter(pk=stock.pk).update(quantity=F("quantity") + 1, quantity_reserved=2)

    assert _rules() == [
        ("stock_movements_mismatch", f"stock {stock.pk}"),
        ("stock_reservations_mismatch", f"stock {stock.pk}"),
    ]
    assert "on hand 6, movements add up to 5" in str(invariants_check()[0])


def test_an_order_without_lines_and_held_stock_of_a_cancelled_order_are_found():
    empty = OrderFactory(number="EMPTY1")
    held = order_with_stock()
    Order.objects.filter(pk=held.pk).update(status=OrderStatus.CANCELLED)

    assert _rules() == [
        ("order_without_lines", "order EMPTY1"),
        ("reservation_of_closed_order", f"order {held.number}"),
    ]
    assert empty.lines.count() == 0


def test_a_paid_order_without_its_payment_is_found():
    order = order_with_stock()
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.PAID)

    assert _rules() == [("paid_order_payments", f"order {order.number}")]


def test_money_that_does_not_add_up_is_found():
    order, payment = paid_order(quantity=1, price="99.00")
    Payment.objects.filter(pk=payment.pk).update(fee=Decimal("1.00"))
    Order.objects.filter(pk=order.pk).update(amount_refunded=Decimal("5.00"))

    violations = invariants_check()

    assert [v.rule for v in violations] == ["order_refunds_mismatch", "ledger_mismatch"]
    assert violations[1] == Violation(
        "ledger_mismatch",
        f"order {order.number}",
        "ledger adds up to 99.00, captured less refunds and fees is 98.00",
    )


def test_a_paid_order_whose_payment_the_provider_confirmed_for_another_amount_is_found():
    order, payment = paid_order(quantity=1, price="99.00")
    assert invariants_check() == []
    Payment.objects.filter(pk=payment.pk).update(confirmed_amount=Decimal("98.00"))

    assert invariants_check() == [
        Violation(
            "paid_order_unconfirmed",
            f"order {order.number}",
            f"paid 99.00 CNY; payment {payment.pk} was confirmed succeeded 98.00 CNY",
        )
    ]


def test_a_paid_order_whose_payment_the_provider_never_confirmed_is_found():
    order, payment = paid_order(quantity=1, price="99.00")
    Payment.objects.filter(pk=payment.pk).update(
        confirmed_status="", confirmed_amount=None, confirmed_currency=""
    )

    assert [(v.rule, v.subject) for v in invariants_check()] == [
        ("paid_order_unconfirmed", f"order {order.number}")
    ]


def test_a_payment_held_for_review_is_found_until_staff_settle_it():
    order = order_with_stock(lines=[(priced_variant("140.00"), 1)])
    payment = payment_start(order=order, provider="fake")
    payment_fake_complete(payment=payment, outcome="succeed", amount=Decimal("139.00"))

    assert invariants_check() == [
        Violation(
            "payment_in_review",
            f"order {order.number}",
            f"payment {payment.pk}, confirmed 139.00 CNY, waits for staff to settle it",
        )
    ]


def test_a_succeeded_refund_the_provider_did_not_confirm_is_found():
    order, _payment = paid_order(quantity=1, price="99.00")
    refund = refund_create(order=order, amount=Decimal("10.00"), reason="", user=None)
    assert invariants_check() == []
    Refund.objects.filter(pk=refund.pk).update(confirmed_status=RefundStatus.PENDING)

    assert invariants_check() == [
        Violation(
            "refund_unconfirmed",
            f"order {order.number}",
            f"refund {refund.pk} is succeeded, the provider last said pending",
        )
    ]


def test_a_refund_pending_longer_than_the_threshold_is_found(settings):
    order = order_with_stock(lines=[(priced_variant("99.00"), 1)])
    payment = payment_start(order=order, provider="fake")
    payment_fake_complete(payment=payment, outcome="succeed", refunds_wait=True)
    refund = refund_create(order=order, amount=Decimal("10.00"), reason="", user=None)
    assert refund.status == RefundStatus.PENDING
    assert invariants_check() == []

    settings.SHOP_REFUND_PENDING_ALERT_HOURS = 0

    [violation] = invariants_check()
    assert (violation.rule, violation.subject) == (
        "refund_pending_too_long",
        f"order {order.number}",
    )
    assert violation.detail.startswith(f"refund {refund.pk} pending since ")


def test_the_command_reports_and_fails_on_violations():
    out = StringIO()
    call_command("check_invariants", stdout=out)
    assert "All invariants hold." in out.getvalue()

    order = order_with_stock()
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.PAID)
    out = StringIO()
    with pytest.raises(CommandError, match="1 invariant violations"):
        call_command("check_invariants", stdout=out)
    assert f"paid_order_payments: order {order.number}" in out.getvalue()


def test_report_rows_that_do_not_add_up_to_the_daily_rows_are_found():
    paid_order(quantity=2, price="99.00")
    report_rows_current()
    totals = DailyTotals.objects.order_by("id").first()
    monthly = MonthlyProductSales.objects.order_by("id").first()
    assert totals is not None and monthly is not None
    assert invariants_check() == []
    DailyTotals.objects.filter(pk=totals.pk).update(gross=F("gross") + 1)
    MonthlyProductSales.objects.filter(pk=monthly.pk).update(units=F("units") + 1)

    month = f"{totals.day:%Y-%m}"
    assert _rules() == [
        ("daily_totals_mismatch", f"partner id {totals.partner_id}, {month}"),
        ("monthly_product_sales_mismatch", f"partner id {monthly.partner_id}, {month}"),
    ]
