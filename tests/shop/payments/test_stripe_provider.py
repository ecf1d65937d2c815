"""The Stripe path with the real ``stripe`` library talking HTTP to a local fake Stripe."""

from decimal import Decimal

import pytest

from shop.orders.models import OrderEvent, OrderEventType, OrderStatus
from shop.payments.errors import PaymentProviderRejected
from shop.payments.models import Payment, PaymentStatus, Refund, RefundStatus
from shop.payments.refund_state import refunds_sync_pending
from shop.payments.refunds import refund_create
from shop.payments.services import payment_fake_complete, payment_start, payment_sync
from tests.conftest import client_for
from tests.factories import SuperuserFactory, order_with_stock
from tests.shop.payments.helpers import priced_variant

pytestmark = pytest.mark.django_db


def _start(client, order, **body):
    return client.post(
        f"/api/v1/orders/{order.number}/payments/", {"provider": "stripe", **body}, format="json"
    )


def _stripe_paid_order(fake_stripe, *, price="99.00", quantity=1):
    order = order_with_stock(lines=[(priced_variant(price), quantity)])
    payment = payment_start(order=order, provider="stripe")
    fake_stripe.succeed(payment.provider_reference, fee_fen=120)
    payment = payment_sync(payment_id=payment.pk)
    order.refresh_from_db()
    return order, payment


def test_start_creates_a_payment_intent_in_fen_with_our_idempotency_key(api_client, fake_stripe):
    order = order_with_stock(lines=[(priced_variant("128.55"), 2)], email="s@example.com")

    response = _start(api_client, order, email="s@example.com")

    assert response.status_code == 201
    payment = Payment.objects.get(order=order)
    [call] = fake_stripe.calls("POST", "/v1/payment_intents")
    assert call.headers["idempotency-key"] == f"payment-{payment.pk}-create"
    assert call.headers["authorization"] == "Bearer sk_test_shop"
    assert call.params["amount"] == "25710"
    assert call.params["currency"] == "cny"
    assert [call.params[f"payment_method_types[{i}]"] for i in range(3)] == [
        "card",
        "alipay",
        "wechat_pay",
    ]
    assert call.params["metadata[order_number]"] == order.number
    assert call.params["metadata[payment_id]"] == str(payment.pk)
    intent_id = next(iter(fake_stripe.intents))
    assert payment.provider_reference == intent_id
    assert response.json()["client_secret"] == f"{intent_id}_secret_abc"
    assert response.json()["amount"] == "257.10"
    assert response.json()["provider"] == "stripe"


@pytest.mark.parametrize("trouble", ["server_error", "timeout"])
def test_stripe_down_answers_503_and_a_retry_reuses_the_same_key(
    api_client, fake_stripe, settings, trouble
):
    settings.STRIPE_TIMEOUT_SECONDS = 0.5
    order = order_with_stock(email="s@example.com")
    if trouble == "timeout":
        fake_stripe.slow_next(1.5)
    else:
        fake_stripe.fail_next(500)

    response = _start(api_client, order, email="s@example.com")

    assert response.status_code == 503
    assert response.json()["code"] == "payment_provider_unavailable"
    payment = Payment.objects.get(order=order)
    assert (payment.status, payment.provider_reference, payment.client_secret) == (
        PaymentStatus.PENDING,
        "",
        "",
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert OrderEvent.objects.filter(order=order).count() == 0

    retried = _start(api_client, order, email="s@example.com")

    assert retried.status_code == 201
    assert retried.json()["id"] == payment.pk
    keys = [c.headers["idempotency-key"] for c in fake_stripe.calls("POST", "/v1/payment_intents")]
    assert keys == [f"payment-{payment.pk}-create"] * 2
    # Even when the first request was carried out, Stripe holds one intent for the key.
    assert len(fake_stripe.intents) == 1
    assert Payment.objects.get(pk=payment.pk).provider_reference == next(iter(fake_stripe.intents))


def test_card_error_is_shown_to_the_shopper_in_chinese_by_default(api_client, fake_stripe):
    order = order_with_stock(email="s@example.com")
    fake_stripe.fail_next(
        402,
        {"type": "card_error", "code": "card_declined", "message": "Your card was declined."},
    )

    response = _start(api_client, order, email="s@example.com")

    assert response.status_code == 402
    assert response.json() == {
        "code": "payment_declined",
        "message": "支付被拒绝，请换一张卡或其他支付方式。",
        "fields": {},
        "decline_code": "card_declined",
    }
    assert Payment.objects.get(order=order).provider_reference == ""


def test_card_error_names_the_reason_in_english_when_asked(api_client, fake_stripe):
    order = order_with_stock(email="s@example.com")
    fake_stripe.fail_next(
        402,
        {
            "type": "card_error",
            "code": "card_declined",
            "decline_code": "insufficient_funds",
            "message": "Your card has insufficient funds.",
        },
    )
    api_client.credentials(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    response = _start(api_client, order, email="s@example.com")

    assert response.status_code == 402
    assert response.json() == {
        "code": "payment_declined",
        "message": "The card has insufficient funds. Please try another card or payment method.",
        "fields": {},
        "decline_code": "card_declined",
    }
    assert Payment.objects.get(order=order).provider_reference == ""


def test_sync_reads_the_intent_and_records_the_fee(fake_stripe, spy):
    order, payment = _stripe_paid_order(fake_stripe)

    assert (payment.status, payment.fee) == (PaymentStatus.SUCCEEDED, Decimal("1.20"))
    assert (order.status, order.amount_paid) == (OrderStatus.PAID, Decimal("99.00"))
    [read] = fake_stripe.calls("GET", "/v1/payment_intents/")
    assert read.params["expand[0]"] == "latest_charge.balance_transaction"
    assert spy.ledger_payments == [payment.pk]


def test_a_declined_intent_marks_the_payment_failed_and_a_later_success_still_pays(
    fake_stripe, spy
):
    order = order_with_stock()
    payment = payment_start(order=order, provider="stripe")
    fake_stripe.decline(payment.provider_reference)

    payment = payment_sync(payment_id=payment.pk)

    assert (payment.status, payment.failure_code) == (PaymentStatus.FAILED, "insufficient_funds")
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT

    # The shopper tries another card on the same PaymentIntent.
    fake_stripe.succeed(payment.provider_reference)
    payment = payment_sync(payment_id=payment.pk)

    assert payment.status == PaymentStatus.SUCCEEDED
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert spy.ledger_payments == [payment.pk]


def test_refund_goes_to_stripe_in_fen_with_our_key(fake_stripe, spy):
    order, payment = _stripe_paid_order(fake_stripe)

    refund = refund_create(order=order, amount=Decimal("30.05"), reason="scratch", user=None)

    [call] = fake_stripe.calls("POST", "/v1/refunds")
    assert call.headers["idempotency-key"] == f"refund-{refund.pk}-create"
    assert call.params["amount"] == "3005"
    assert call.params["payment_intent"] == payment.provider_reference
    assert (refund.status, refund.provider_reference) == (
        RefundStatus.SUCCEEDED,
        next(iter(fake_stripe.refunds)),
    )
    order.refresh_from_db()
    assert (order.status, order.amount_refunded) == (
        OrderStatus.PARTIALLY_REFUNDED,
        Decimal("30.05"),
    )
    assert spy.ledger_refunds == [refund.pk]


@pytest.mark.parametrize("trouble", ["server_error", "timeout"])
def test_refund_when_stripe_does_not_answer_stays_pending_and_is_sent_again_once(
    fake_stripe, spy, settings, trouble
):
    order, payment = _stripe_paid_order(fake_stripe)
    settings.STRIPE_TIMEOUT_SECONDS = 0.5
    staff = SuperuserFactory()
    if trouble == "timeout":
        fake_stripe.slow_next(1.5)  # Stripe does refund, but we never hear back
    else:
        fake_stripe.fail_next(500)

    response = client_for(staff).post(
        f"/api/v1/staff/orders/{order.number}/refunds/",
        {"amount": "40.00", "reason": "damaged"},
        format="json",
    )

    assert response.status_code == 503
    assert response.json()["code"] == "payment_provider_unavailable"
    refund = Refund.objects.get(order=order)
    assert refund.status == RefundStatus.PENDING
    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, order.amount_refunded) == (OrderStatus.PAID, Decimal("0"))
    # The amount stays set aside so no other refund can go above what was paid meanwhile.
    assert payment.amount_refunded == Decimal("40.00")
    assert spy.ledger_refunds == []
    assert spy.tasks == []

    assert refunds_sync_pending(unanswered_after_seconds=0) == 1

    refund.refresh_from_db()
    order.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED
    assert (order.status, order.amount_refunded) == (
        OrderStatus.PARTIALLY_REFUNDED,
        Decimal("40.00"),
    )
    keys = [c.headers["idempotency-key"] for c in fake_stripe.calls("POST", "/v1/refunds")]
    assert keys == [f"refund-{refund.pk}-create"] * 2
    assert len(fake_stripe.refunds) == 1
    charge = fake_stripe.intents[payment.provider_reference]["latest_charge"]
    assert charge["amount_refunded"] == 4000
    assert spy.ledger_refunds == [refund.pk]


def test_refund_refused_by_stripe_fails_and_gives_the_amount_back(fake_stripe, spy):
    order, payment = _stripe_paid_order(fake_stripe)
    fake_stripe.fail_next(
        400, {"type": "invalid_request_error", "code": "charge_disputed", "message": "Disputed."}
    )

    with pytest.raises(PaymentProviderRejected):
        refund_create(order=order, amount=Decimal("10.00"), reason="", user=None)

    refund = Refund.objects.get(order=order)
    assert refund.status == RefundStatus.FAILED
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.amount_refunded == Decimal("0")
    assert (order.status, order.amount_refunded) == (OrderStatus.PAID, Decimal("0"))
    assert list(OrderEvent.objects.filter(order=order).values_list("type", flat=True))[-2:] == [
        OrderEventType.REFUND_REQUESTED,
        OrderEventType.REFUND_FAILED,
    ]
    assert spy.ledger_refunds == []


def test_a_second_payment_for_a_paid_order_is_returned_in_full(fake_stripe, spy):
    order = order_with_stock()
    first = payment_start(order=order, provider="stripe")
    # The shopper switches to another provider (Stripe does not answer the cancel, so the
    # intent stays open) and pays there...
    fake_stripe.fail_next(500)
    fake = payment_start(order=order, provider="fake")
    first.refresh_from_db()
    assert (first.status, first.failure_code) == (PaymentStatus.CANCELLED, "replaced")
    assert fake_stripe.intents[first.provider_reference]["status"] == "requires_payment_method"
    payment_fake_complete(payment=fake, outcome="succeed")
    # ...and then completes the Stripe payment in another tab as well.
    fake_stripe.succeed(first.provider_reference)

    first = payment_sync(payment_id=first.pk)

    assert (first.status, first.failure_code, first.amount_refunded) == (
        PaymentStatus.CANCELLED,
        "duplicate",
        Decimal("99.00"),
    )
    refund = Refund.objects.get(payment=first)
    assert (refund.status, refund.amount) == (RefundStatus.SUCCEEDED, Decimal("99.00"))
    assert fake_stripe.intents[first.provider_reference]["latest_charge"]["amount_refunded"] == 9900
    order.refresh_from_db()
    assert (order.status, order.amount_paid, order.amount_refunded) == (
        OrderStatus.PAID,
        Decimal("99.00"),
        Decimal("0"),
    )
    assert spy.ledger_payments == [fake.pk]
    assert spy.ledger_refunds == []
    # Hearing about it again changes nothing.
    payment_sync(payment_id=first.pk)
    assert Refund.objects.filter(payment=first).count() == 1
