from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import MovementReason, StockMovement
from fulfillment import returns
from fulfillment.errors import (
    ReturnNotAllowed,
    ReturnNotYours,
    ReturnStatusConflict,
    ReturnWindowClosed,
)
from fulfillment.models import ReturnLine, ReturnRequest, ReturnStatus
from partners.models import LedgerEntry
from shop.core.errors import InvalidInput
from shop.core.money import MoneySum
from shop.orders.models import OrderStatus
from shop.payments.models import Refund
from shop.payments.refunds import order_refund_left, refund_create
from tests import factories
from tests.factories.fulfillment import delivered, pay
from tests.fulfillment.conftest import stock_levels


@pytest.fixture
def delivered_order(two_warehouses):
    """Delivered, and paid the way a shopper pays (the offline fake provider)."""
    from tests.factories import order_with_stock

    placed = order_with_stock(
        channel=two_warehouses.channel,
        lines=[(two_warehouses.museum_stock.variant, 2), (two_warehouses.media_stock.variant, 1)],
    )
    pay(placed)
    return delivered(placed)


@pytest.fixture
def museum_staff(two_warehouses):
    return factories.PartnerStaffFactory(partner=two_warehouses.museum).user


def _lines(order):
    museum_line, media_line = order.lines.order_by("id")
    return museum_line, media_line


def test_a_shopper_asks_to_return_delivered_units(delivered_order):
    museum_line, _ = _lines(delivered_order)

    request = returns.return_request_create(
        order=delivered_order,
        lines=[{"line_id": museum_line.pk, "quantity": 1}],
        reason=" too small ",
    )

    assert (request.status, request.reason) == (ReturnStatus.REQUESTED, "too small")
    assert list(request.lines.values_list("order_line", "quantity")) == [(museum_line.pk, 1)]
    assert delivered_order.events.filter(data__return_id=request.pk).count() == 1


@pytest.mark.parametrize(
    ("lines", "error"),
    [
        ([], InvalidInput),
        ([{"line_id": 999999, "quantity": 1}], InvalidInput),
        ([{"line_id": "museum", "quantity": 3}], ReturnNotAllowed),
        ([{"line_id": "museum", "quantity": 0}], InvalidInput),
        (
            [{"line_id": "museum", "quantity": 1}, {"line_id": "museum", "quantity": 1}],
            InvalidInput,
        ),
    ],
)
def test_bad_return_requests_change_nothing(delivered_order, lines, error):
    museum_line, _ = _lines(delivered_order)
    lines = [
        {**item, "line_id": museum_line.pk if item["line_id"] == "museum" else item["line_id"]}
        for item in lines
    ]

    with pytest.raises(error):
        returns.return_request_create(order=delivered_order, lines=lines)

    assert not ReturnRequest.objects.exists()


def test_units_already_asked_for_cannot_be_asked_for_again(delivered_order):
    museum_line, _ = _lines(delivered_order)
    returns.return_request_create(
        order=delivered_order, lines=[{"line_id": museum_line.pk, "quantity": 2}]
    )

    with pytest.raises(ReturnNotAllowed):
        returns.return_request_create(
            order=delivered_order, lines=[{"line_id": museum_line.pk, "quantity": 1}]
        )
    assert ReturnRequest.objects.count() == 1


def test_the_return_window_closes(delivered_order, settings):
    settings.SHOP_RETURN_WINDOW_DAYS = 14
    museum_line, _ = _lines(delivered_order)

    with pytest.raises(ReturnWindowClosed):
        returns.return_request_create(
            order=delivered_order,
            lines=[{"line_id": museum_line.pk, "quantity": 1}],
            now=timezone.now() + timedelta(days=15),
        )
    assert not ReturnRequest.objects.exists()


def test_an_undelivered_order_cannot_be_returned(two_warehouses):
    order = two_warehouses.paid_order()
    museum_line, _ = _lines(order)

    with pytest.raises(ReturnNotAllowed):
        returns.return_request_create(
            order=order, lines=[{"line_id": museum_line.pk, "quantity": 1}]
        )


def _return_of_both_lines(order):
    museum_line, media_line = _lines(order)
    return returns.return_request_create(
        order=order,
        lines=[
            {"line_id": museum_line.pk, "quantity": 2},
            {"line_id": media_line.pk, "quantity": 1},
        ],
    )


def _conditions(order) -> list[dict]:
    museum_line, media_line = _lines(order)
    return [
        {"line_id": museum_line.pk, "condition": "resellable"},
        {"line_id": media_line.pk, "condition": "damaged"},
    ]


def test_staff_of_the_orders_partner_decide_a_return_once(delivered_order, museum_staff):
    request = _return_of_both_lines(delivered_order)
    unrelated = factories.PartnerStaffFactory(partner=factories.PartnerFactory()).user
    with pytest.raises(ReturnNotYours):
        returns.return_decide(return_request=request, approve=True, user=unrelated)

    returns.return_decide(return_request=request, approve=True, user=museum_staff, note="ok")

    with pytest.raises(ReturnStatusConflict):
        returns.return_decide(return_request=request, approve=False, user=museum_staff)
    request.refresh_from_db()
    assert request.status == ReturnStatus.APPROVED


def test_units_received_go_back_to_the_warehouse_they_left(
    two_warehouses, delivered_order, museum_staff
):
    request = _return_of_both_lines(delivered_order)
    returns.return_decide(return_request=request, approve=True, user=museum_staff)
    # Museum staff cannot put units into the media group's warehouse.
    with pytest.raises(ReturnNotYours):
        returns.return_receive(
            return_request=request, user=museum_staff, lines=_conditions(delivered_order)
        )
    assert StockMovement.objects.filter(reason=MovementReason.RETURN).count() == 0

    returns.return_receive(
        return_request=request,
        user=factories.SuperuserFactory(),
        lines=_conditions(delivered_order),
    )

    # Back on hand in the museum; the damaged unit came back and was written off.
    assert stock_levels(two_warehouses.museum_stock, two_warehouses.media_stock) == [
        (10, 0),
        (9, 0),
    ]
    assert list(
        StockMovement.objects.filter(reference=f"return-{request.pk}")
        .order_by("id")
        .values_list("stock", "reason", "quantity_delta")
    ) == [
        (two_warehouses.museum_stock.pk, "return", 2),
        (two_warehouses.media_stock.pk, "return", 1),
        (two_warehouses.media_stock.pk, "write_off", -1),
    ]
    assert list(ReturnLine.objects.order_by("id").values_list("condition", "warehouse")) == [
        ("resellable", two_warehouses.museum_warehouse.pk),
        ("damaged", two_warehouses.media_warehouse.pk),
    ]


def test_a_received_return_is_refunded_once_for_what_came_back(delivered_order, museum_staff):
    museum_line, media_line = _lines(delivered_order)
    request = _return_of_both_lines(delivered_order)
    returns.return_decide(return_request=request, approve=True, user=museum_staff)
    returns.return_receive(
        return_request=request,
        user=factories.SuperuserFactory(),
        lines=_conditions(delivered_order),
    )

    request = returns.return_refund(return_request=request, user=museum_staff)
    again = returns.return_refund(return_request=request, user=museum_staff)

    expected = museum_line.unit_price * 2 + media_line.unit_price
    refund = Refund.objects.get(order=delivered_order)
    assert (refund.amount, refund.reason, refund.created_by) == (
        expected,
        f"Return {request.pk}",
        museum_staff,
    )
    assert refund.lines == [
        {"line_id": museum_line.pk, "quantity": 2},
        {"line_id": media_line.pk, "quantity": 1},
    ]
    assert request.status == again.status == ReturnStatus.REFUNDED
    assert request.refund == refund
    assert isinstance(expected, Decimal)


def test_a_refund_through_the_payments_code(two_warehouses, museum_staff):
    from tests.factories import order_with_stock

    order = order_with_stock(
        channel=two_warehouses.channel, lines=[(two_warehouses.museum_stock.variant, 2)]
    )
    pay(order)
    order = delivered(order)
    (line,) = order.lines.all()
    request = returns.return_request_create(
        order=order, lines=[{"line_id": line.pk, "quantity": 1}]
    )
    returns.return_decide(return_request=request, approve=True, user=museum_staff)
    returns.return_receive(
        return_request=request,
        user=museum_staff,
        lines=[{"line_id": line.pk, "condition": "resellable"}],
    )

    request = returns.return_refund(return_request=request, user=museum_staff)

    order.refresh_from_db()
    assert request.refund.amount == line.unit_price
    assert request.refund.status == "succeeded"
    assert order.amount_refunded == line.unit_price
    assert order.status == OrderStatus.PARTIALLY_REFUNDED


def _return_and_refund(order, line, quantity, user):
    request = returns.return_request_create(
        order=order, lines=[{"line_id": line.pk, "quantity": quantity}]
    )
    returns.return_decide(return_request=request, approve=True, user=user)
    returns.return_receive(
        return_request=request, user=user, lines=[{"line_id": line.pk, "condition": "resellable"}]
    )
    return returns.return_refund(return_request=request, user=user).refund.amount


def test_returns_refund_what_the_units_cost_and_the_last_one_the_shipping(two_warehouses):
    from tests.factories import order_with_stock

    placed = order_with_stock(
        channel=two_warehouses.channel,
        lines=[(two_warehouses.museum_stock.variant, 2), (two_warehouses.media_stock.variant, 1)],
    )
    # 2 x 99.00 and 1 x 99.00, 12.00 shipping, 10.00 off: the lines cost 191.33 and 95.67.
    placed.__class__.objects.filter(pk=placed.pk).update(
        shipping_price=Decimal("12.00"), discount=Decimal("10.00"), total=Decimal("299.00")
    )
    placed.refresh_from_db()
    pay(placed)
    order = delivered(placed)
    museum_line, media_line = _lines(order)
    admin = factories.SuperuserFactory()

    amounts = [
        _return_and_refund(order, museum_line, 1, admin),
        _return_and_refund(order, museum_line, 1, admin),
        _return_and_refund(order, media_line, 1, admin),
    ]

    # The museum units add up to their line; the last return brings back 95.67 + 12.00.
    assert amounts == [Decimal("95.67"), Decimal("95.66"), Decimal("107.67")]
    order.refresh_from_db()
    assert (order.amount_refunded, order.status) == (Decimal("299.00"), OrderStatus.REFUNDED)
    # The partners' ledger: the shipping income went back with the last return only.
    shipping = LedgerEntry.objects.filter(order=order, reversed_kind="shipping_income")
    assert [e.amount for e in shipping] and shipping.aggregate(s=MoneySum("amount"))["s"] == (
        Decimal("-12.00")
    )
    assert {e.source for e in shipping} == {f"refund:{order.refunds.order_by('id').last().pk}"}


def test_a_return_ends_without_a_refund_when_staff_refunded_everything_first(
    delivered_order, museum_staff
):
    request = _return_of_both_lines(delivered_order)
    returns.return_decide(return_request=request, approve=True, user=museum_staff)
    returns.return_receive(
        return_request=request,
        user=factories.SuperuserFactory(),
        lines=_conditions(delivered_order),
    )
    everything = order_refund_left(delivered_order)
    refund_create(order=delivered_order, amount=everything, reason="goodwill", user=museum_staff)

    request = returns.return_refund(return_request=request, user=museum_staff)

    assert (request.status, request.refund) == (ReturnStatus.REFUNDED, None)
    assert list(Refund.objects.filter(order=delivered_order).values_list("amount", flat=True)) == [
        everything
    ]
