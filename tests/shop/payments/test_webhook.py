"""The Stripe webhook: real signatures over the raw body, events stored once, taken as hints."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.test import APIClient

from shop.orders.models import OrderEvent, OrderEventType, OrderStatus
from shop.payments.models import Payment, PaymentStatus, Refund, RefundStatus, WebhookEvent
from shop.payments.services import payment_start
from tests.factories import order_with_stock
from tests.shop.payments.helpers import signed, stripe_event

URL = "/api/v1/payments/stripe/webhook/"


def _post(client, event, *, secret=None, body=None, header=None):
    payload, signature = signed(event, secret) if secret else signed(event)
    return client.generic(
        "POST",
        URL,
        body if body is not None else payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header if header is not None else signature,
    )


def _intent_event(payment, event_type="payment_intent.succeeded", event_id="evt_1"):
    return stripe_event(
        event_type,
        {"id": payment.provider_reference, "object": "payment_intent", "status": "whatever"},
        event_id=event_id,
    )


def _stripe_order(fake_stripe):
    order = order_with_stock()
    payment = payment_start(order=order, provider="stripe")
    return order, payment


@pytest.mark.django_db
def test_a_signed_success_event_pays_the_order_from_what_stripe_says(
    api_client, fake_stripe, spy, django_capture_on_commit_callbacks
):
    order, payment = _stripe_order(fake_stripe)
    fake_stripe.succeed(payment.provider_reference)

    with django_capture_on_commit_callbacks(execute=True):
        response = _post(api_client, _intent_event(payment))

    assert response.status_code == 200
    assert response.json() == {"received": True, "duplicate": False}
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert order.status == OrderStatus.PAID
    event = WebhookEvent.objects.get()
    assert (event.event_id, event.type) == ("evt_1", "payment_intent.succeeded")
    assert event.processed_at is not None
    assert spy.ledger_payments == [payment.pk]
    assert spy.tasks == [
        ("order_paid", (order.pk,)),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("forgery", ["wrong_secret", "tampered_body", "no_header", "garbage"])
def test_bad_signatures_are_refused_and_nothing_is_stored(api_client, fake_stripe, forgery):
    _order, payment = _stripe_order(fake_stripe)
    fake_stripe.succeed(payment.provider_reference)
    event = _intent_event(payment)
    if forgery == "wrong_secret":
        response = _post(api_client, event, secret="whsec_someone_else")
    elif forgery == "tampered_body":
        body, header = signed(event)
        response = _post(api_client, event, body=body.replace(b"evt_1", b"evt_2"), header=header)
    elif forgery == "no_header":
        response = _post(api_client, event, header="")
    else:
        response = _post(api_client, event, header="t=abc,v1=zzz")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_signature"
    assert WebhookEvent.objects.count() == 0
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PENDING
    assert fake_stripe.calls("GET", "/v1/payment_intents/") == []


@pytest.mark.django_db
def test_a_duplicate_event_answers_200_and_does_nothing(api_client, fake_stripe, spy):
    _order, payment = _stripe_order(fake_stripe)
    fake_stripe.succeed(payment.provider_reference)
    assert _post(api_client, _intent_event(payment)).status_code == 200

    again = _post(api_client, _intent_event(payment))

    assert again.status_code == 200
    assert again.json() == {"received": True, "duplicate": True}
    assert len(fake_stripe.calls("GET", "/v1/payment_intents/")) == 1
    assert WebhookEvent.objects.count() == 1
    assert spy.ledger_payments == [payment.pk]


@pytest.mark.django_db
def test_a_failure_event_after_the_success_never_unpays(api_client, fake_stripe, spy):
    order, payment = _stripe_order(fake_stripe)
    fake_stripe.succeed(payment.provider_reference)
    _post(api_client, _intent_event(payment, event_id="evt_ok"))

    late = _post(
        api_client,
        _intent_event(payment, "payment_intent.payment_failed", event_id="evt_failed_earlier"),
    )

    assert late.status_code == 200
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert (order.status, order.amount_paid) == (OrderStatus.PAID, Decimal("99.00"))
    assert not OrderEvent.objects.filter(order=order, type=OrderEventType.PAYMENT_FAILED).exists()
    assert spy.ledger_payments == [payment.pk]


@pytest.mark.django_db
def test_events_for_unknown_payment_intents_are_recorded_and_answered(api_client, fake_stripe):
    event = stripe_event(
        "payment_intent.succeeded", {"id": "pi_not_ours", "object": "payment_intent"}
    )

    response = _post(api_client, event)

    assert response.status_code == 200
    stored = WebhookEvent.objects.get()
    assert stored.processed_at is not None
    assert stored.payload["data"]["object"]["id"] == "pi_not_ours"
    assert fake_stripe.requests == []


@pytest.mark.django_db
def test_stripe_unreachable_answers_503_and_the_redelivery_is_processed(
    api_client, fake_stripe, spy
):
    _order, payment = _stripe_order(fake_stripe)
    fake_stripe.succeed(payment.provider_reference)
    fake_stripe.fail_next(503)

    first = _post(api_client, _intent_event(payment))

    assert first.status_code == 503
    assert first.json()["code"] == "payment_provider_unavailable"
    assert WebhookEvent.objects.get().processed_at is None
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PENDING

    redelivered = _post(api_client, _intent_event(payment))

    assert redelivered.json() == {"received": True, "duplicate": False}
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.SUCCEEDED
    assert spy.ledger_payments == [payment.pk]


@pytest.mark.django_db
def test_a_refund_made_in_the_stripe_dashboard_is_recorded(api_client, fake_stripe, spy):
    order, payment = _stripe_order(fake_stripe)
    fake_stripe.succeed(payment.provider_reference)
    _post(api_client, _intent_event(payment, event_id="evt_paid"))
    fake_stripe.refund_in_dashboard(payment.provider_reference, 2500)
    charge = {"id": "ch_1", "object": "charge", "payment_intent": payment.provider_reference}

    response = _post(api_client, stripe_event("charge.refunded", charge, event_id="evt_refund"))

    assert response.status_code == 200
    refund = Refund.objects.get(order=order)
    assert (refund.amount, refund.status, refund.reason) == (
        Decimal("25.00"),
        RefundStatus.SUCCEEDED,
        "refunded at the payment provider",
    )
    order.refresh_from_db()
    assert (order.status, order.amount_refunded) == (
        OrderStatus.PARTIALLY_REFUNDED,
        Decimal("25.00"),
    )
    assert Payment.objects.get(pk=payment.pk).amount_refunded == Decimal("25.00")
    assert spy.ledger_refunds == [refund.pk]
    # Hearing about it again records nothing more.
    _post(api_client, stripe_event("charge.refunded", charge, event_id="evt_refund_again"))
    assert Refund.objects.filter(order=order).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_event_delivered_ten_times_at_once_pays_once(fake_stripe, spy):
    order, payment = _stripe_order(fake_stripe)
    fake_stripe.succeed(payment.provider_reference)
    body, header = signed(_intent_event(payment))
    barrier = threading.Barrier(10)
    answers: list[int] = []

    def deliver() -> None:
        try:
            client = APIClient()
            barrier.wait()
            response = client.generic(
                "POST", URL, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
            )
            answers.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers == [200] * 10
    assert WebhookEvent.objects.count() == 1
    assert spy.ledger_payments == [payment.pk]
    assert (
        OrderEvent.objects.filter(order=order, type=OrderEventType.PAYMENT_SUCCEEDED).count() == 1
    )
    assert [t for t in spy.tasks if t[0] == "order_paid"] == [("order_paid", (order.pk,))]
    order.refresh_from_db()
    assert (order.status, order.amount_paid) == (OrderStatus.PAID, Decimal("99.00"))
