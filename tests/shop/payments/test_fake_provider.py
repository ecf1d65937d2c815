from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import Stock
from shop.orders.cancellation import order_expire
from shop.orders.holds import Reservation, ReservationStatus
from shop.orders.models import Order, OrderEvent, OrderEventType, OrderStatus
from shop.payments.models import (
    FakeCharge,
    Payment,
    PaymentProvider,
    PaymentStatus,
    Refund,
    RefundStatus,
)
from tests.conftest import client_for
from tests.factories import PaymentFactory, UserFactory, order_with_stock
from tests.shop.payments.helpers import priced_variant

pytestmark = pytest.mark.django_db


def _start(client, order, **body):
    return client.post(f"/api/v1/orders/{order.number}/payments/", body, format="json")


def _confirm(client, payment_id, outcome, **body):
    return client.post(
        f"/api/v1/payments/{payment_id}/fake/confirm/", {"outcome": outcome, **body}, format="json"
    )


def _events(order):
    return list(OrderEvent.objects.filter(order=order).values_list("type", flat=True))


def test_guest_pays_with_the_fake_provider(api_client, spy, django_capture_on_commit_callbacks):
    variant = priced_variant("128.50")
    order = order_with_stock(lines=[(variant, 2)], email="guest@example.com")

    response = _start(api_client, order, email="Guest@Example.com")

    assert response.status_code == 201
    payment = Payment.objects.get(order=order)
    assert response.json() == {
        "id": payment.pk,
        "provider": "fake",
        "status": "pending",
        "client_secret": f"fake_pi_{payment.pk}_secret",
        "action": {},
        "amount": "257.00",
        "currency": "CNY",
        "order_number": order.number,
        "order_status": "pending_payment",
        "failure_code": "",
        "failure_message": "",
    }
    assert payment.provider_reference == f"fake_pi_{payment.pk}"

    # Pressing "pay" again resumes the same payment.
    again = _start(api_client, order, email="guest@example.com")
    assert again.status_code == 201
    assert again.json()["id"] == payment.pk
    assert Payment.objects.filter(order=order).count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = _confirm(api_client, payment.pk, "succeed", email="guest@example.com")

    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "succeeded"
    assert confirmed.json()["order_status"] == "paid"
    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, order.amount_paid) == (OrderStatus.PAID, Decimal("257.00"))
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.succeeded_at is not None
    assert list(
        Reservation.objects.filter(order_line__order=order).values_list("status", flat=True)
    ) == [ReservationStatus.CONFIRMED]
    assert _events(order) == [OrderEventType.PAYMENT_STARTED, OrderEventType.PAYMENT_SUCCEEDED]
    assert spy.ledger_payments == [payment.pk]
    assert spy.tasks == [
        ("order_paid", (order.pk,)),
    ]

    # Confirming twice changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        twice = _confirm(api_client, payment.pk, "succeed", email="guest@example.com")
    assert twice.status_code == 200
    assert spy.ledger_payments == [payment.pk]
    assert len(spy.tasks) == 1
    assert _events(order) == [OrderEventType.PAYMENT_STARTED, OrderEventType.PAYMENT_SUCCEEDED]


def test_declined_payment_leaves_the_order_waiting_and_a_new_one_can_start(api_client, spy):
    user = UserFactory()
    order = order_with_stock(user=user)
    client = client_for(user)
    payment_id = _start(client, order).json()["id"]

    response = _confirm(client, payment_id, "decline")

    assert response.status_code == 200
    assert response.json()["status"] == "failed"
    assert response.json()["failure_code"] == "card_declined"
    order.refresh_from_db()
    assert (order.status, order.amount_paid) == (OrderStatus.PENDING_PAYMENT, Decimal("0"))
    assert _events(order) == [OrderEventType.PAYMENT_STARTED, OrderEventType.PAYMENT_FAILED]
    assert spy.ledger_payments == []
    assert spy.tasks == []
    # Succeeding after a decline is refused; the shopper starts a new payment.
    assert _confirm(client, payment_id, "succeed").json()["code"] == "payment_not_pending"
    retry = _start(client, order)
    assert retry.status_code == 201
    assert retry.json()["id"] != payment_id
    assert retry.json()["status"] == "pending"


def test_only_whoever_can_see_the_order_may_pay_it(api_client):
    owner = UserFactory()
    owned = order_with_stock(user=owner, email="owner@example.com")
    guest_order = order_with_stock(email="guest@example.com")

    assert _start(api_client, guest_order, email="other@example.com").status_code == 404
    assert _start(api_client, guest_order).json()["code"] == "order_not_found"
    assert _start(client_for(UserFactory()), owned).status_code == 404
    # A signed-in shopper's order is not opened by its e-mail alone.
    assert _start(api_client, owned, email="owner@example.com").status_code == 404
    assert Payment.objects.count() == 0

    payment_id = _start(client_for(owner), owned).json()["id"]
    assert _confirm(api_client, payment_id, "succeed", email="owner@example.com").status_code == 404
    assert _confirm(client_for(UserFactory()), payment_id, "succeed").status_code == 404
    assert Payment.objects.get(pk=payment_id).status == PaymentStatus.PENDING


def test_orders_that_cannot_be_paid_are_refused_without_changes(api_client):
    paid = order_with_stock(status=OrderStatus.PAID, email="a@example.com")
    late = order_with_stock(email="b@example.com")
    Order.objects.filter(pk=late.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    refused = _start(api_client, paid, email="a@example.com")
    expired = _start(api_client, late, email="b@example.com")

    assert (refused.status_code, refused.json()["code"]) == (409, "order_not_payable")
    assert (expired.status_code, expired.json()["code"]) == (409, "order_expired")
    assert Payment.objects.count() == 0
    assert (
        OrderEvent.objects.filter(order__in=[paid, late])
        .exclude(type=OrderEventType.PAYMENT_SUCCEEDED)
        .count()
        == 0
    )


def test_bad_input_and_disabled_providers_are_refused(api_client):
    order = order_with_stock(email="c@example.com")
    stripe_payment = PaymentFactory(order=order, provider=PaymentProvider.STRIPE)

    unknown = _start(api_client, order, email="c@example.com", provider="paypal")
    disabled = _start(api_client, order, email="c@example.com", provider="stripe")
    bad_outcome = _confirm(api_client, stripe_payment.pk, "maybe", email="c@example.com")
    not_fake = _confirm(api_client, stripe_payment.pk, "succeed", email="c@example.com")

    assert (unknown.status_code, unknown.json()["code"]) == (400, "invalid")
    assert (disabled.status_code, disabled.json()["code"]) == (400, "payment_provider_not_enabled")
    assert (bad_outcome.status_code, bad_outcome.json()["code"]) == (400, "invalid")
    assert (not_fake.status_code, not_fake.json()["code"]) == (409, "not_fake_payment")
    assert Payment.objects.filter(order=order).count() == 1
    assert FakeCharge.objects.count() == 0


def test_late_payment_after_the_stock_was_sold_is_refunded_and_never_pays(
    api_client, spy, django_capture_on_commit_callbacks
):
    variant = priced_variant("99.00", units=1)
    order = order_with_stock(lines=[(variant, 1)], email="late@example.com")
    payment_id = _start(api_client, order, email="late@example.com").json()["id"]
    Order.objects.filter(pk=order.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert order_expire(order_id=order.pk)
    rival = order_with_stock(lines=[(variant, 1)], email="rival@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        response = _confirm(api_client, payment_id, "succeed", email="late@example.com")

    assert response.status_code == 200
    order.refresh_from_db()
    payment = Payment.objects.get(pk=payment_id)
    refund = Refund.objects.get(payment=payment)
    assert (order.status, order.amount_paid, order.amount_refunded) == (
        OrderStatus.EXPIRED,
        Decimal("0"),
        Decimal("0"),
    )
    assert (payment.status, payment.amount_refunded) == (PaymentStatus.SUCCEEDED, Decimal("99.00"))
    assert (refund.amount, refund.status, refund.reason) == (
        Decimal("99.00"),
        RefundStatus.SUCCEEDED,
        "stock unavailable",
    )
    assert FakeCharge.objects.get(reference=payment.provider_reference).amount_refunded == Decimal(
        "99.00"
    )
    stock = Stock.objects.get(variant=variant)
    assert (stock.quantity, stock.quantity_reserved) == (1, 1)  # still held for the rival
    assert Reservation.objects.get(order_line__order=rival).status == ReservationStatus.ACTIVE
    assert spy.ledger_payments == []
    assert spy.ledger_refunds == []
    assert spy.tasks == [("order_email_send", (order.pk, "refund_issued", refund.pk))]


def test_late_payment_while_the_stock_is_still_there_revives_the_order(api_client, spy):
    variant = priced_variant("99.00", units=3)
    order = order_with_stock(lines=[(variant, 1)], email="late@example.com")
    payment_id = _start(api_client, order, email="late@example.com").json()["id"]
    Order.objects.filter(pk=order.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert order_expire(order_id=order.pk)

    response = _confirm(api_client, payment_id, "succeed", email="late@example.com")

    assert response.json()["order_status"] == "paid"
    assert Refund.objects.count() == 0
    assert Stock.objects.get(variant=variant).quantity_reserved == 1
    assert spy.ledger_payments == [payment_id]


def test_a_shop_on_real_payments_never_lets_shoppers_confirm_fake_ones(api_client, settings):
    order = order_with_stock(email="d@example.com")
    payment_id = _start(api_client, order, email="d@example.com").json()["id"]
    settings.SHOP_PAYMENT_PROVIDER = "stripe"

    confirm = _confirm(api_client, payment_id, "succeed", email="d@example.com")
    start = _start(api_client, order, email="d@example.com", provider="fake")

    assert (confirm.status_code, confirm.json()["code"]) == (400, "payment_provider_not_enabled")
    assert (start.status_code, start.json()["code"]) == (400, "payment_provider_not_enabled")
    assert Payment.objects.get(pk=payment_id).status == PaymentStatus.PENDING
    assert FakeCharge.objects.get().status == "requires_payment"
