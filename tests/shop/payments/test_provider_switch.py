"""A shopper who switches provider: the old PaymentIntent is cancelled at Stripe too, and
one Stripe says succeeded meanwhile is applied the normal way (it pays the order; a
second payment is returned in full)."""

from decimal import Decimal

import pytest

from shop.ops.invariants import invariants_check
from shop.orders.models import OrderEvent, OrderEventType, OrderStatus
from shop.payments.models import FakeCharge, Payment, PaymentStatus
from shop.payments.services import payment_start, payments_sync_stale
from tests.factories import order_with_stock
from tests.shop.payments.helpers import ledger_sources, ledger_total, priced_variant

pytestmark = pytest.mark.django_db


def _start(client, order, provider):
    return client.post(
        f"/api/v1/orders/{order.number}/payments/",
        {"email": order.email, "provider": provider},
        format="json",
    )


def _order():
    return order_with_stock(lines=[(priced_variant("99.00"), 1)], email="s@example.com")


def test_switching_provider_cancels_the_payment_intent_at_stripe(api_client, fake_stripe):
    order = _order()
    old = Payment.objects.get(pk=_start(api_client, order, "stripe").json()["id"])

    response = _start(api_client, order, "fake")

    assert response.status_code == 201
    [cancel] = fake_stripe.calls("POST", f"/v1/payment_intents/{old.provider_reference}/cancel")
    assert cancel.headers["idempotency-key"] == f"payment-{old.pk}-cancel"
    assert fake_stripe.intents[old.provider_reference]["status"] == "canceled"
    old.refresh_from_db()
    assert (old.status, old.failure_code, old.confirmed_status) == (
        PaymentStatus.CANCELLED,
        "replaced",
        PaymentStatus.CANCELLED,
    )
    replaced = OrderEvent.objects.get(order=order, type=OrderEventType.PAYMENT_FAILED)
    assert replaced.data == {
        "payment_id": old.pk,
        "status": "cancelled",
        "failure_code": "replaced",
    }
    assert Payment.objects.get(pk=response.json()["id"]).status == PaymentStatus.PENDING
    # Nothing is left to cancel: the sweep leaves it alone.
    assert payments_sync_stale(older_than_minutes=0) == 1  # the new fake payment, read again
    assert len(fake_stripe.calls("POST", "/v1/payment_intents/")) == 1
    assert invariants_check() == []


def test_an_intent_that_succeeded_before_the_switch_pays_and_no_second_payment_starts(
    api_client, fake_stripe, django_capture_on_commit_callbacks
):
    order = _order()
    old = payment_start(order=order, provider="stripe")
    fake_stripe.succeed(old.provider_reference)  # paid in another tab, no webhook yet

    with django_capture_on_commit_callbacks(execute=True):
        response = _start(api_client, order, "fake")

    assert (response.status_code, response.json()["code"]) == (409, "order_not_payable")
    old.refresh_from_db()
    order.refresh_from_db()
    # Stripe refused to cancel: the shop read the intent and applied it.
    assert [c.path for c in fake_stripe.calls("POST", "/v1/payment_intents/")] == [
        f"/v1/payment_intents/{old.provider_reference}/cancel"
    ]
    assert (old.status, old.confirmed_status) == (PaymentStatus.SUCCEEDED, PaymentStatus.SUCCEEDED)
    assert (order.status, order.amount_paid) == (OrderStatus.FULFILLING, Decimal("99.00"))
    given_up = Payment.objects.exclude(pk=old.pk).get(order=order)
    assert (given_up.status, given_up.failure_code, given_up.provider_reference) == (
        PaymentStatus.CANCELLED,
        "order_paid",
        "",
    )
    assert FakeCharge.objects.count() == 0  # the fake provider was never asked
    assert ledger_sources(order) == {f"payment:{old.pk}"}
    assert ledger_total(order) == Decimal("99.00")
    assert invariants_check() == []


def test_a_cancel_stripe_does_not_answer_is_asked_again_by_the_sweep_with_the_same_key(
    api_client, fake_stripe
):
    order = _order()
    old = Payment.objects.get(pk=_start(api_client, order, "stripe").json()["id"])
    fake_stripe.fail_next(500)

    assert _start(api_client, order, "fake").status_code == 201

    old.refresh_from_db()
    assert (old.status, old.confirmed_status) == (PaymentStatus.CANCELLED, "")
    assert fake_stripe.intents[old.provider_reference]["status"] == "requires_payment_method"

    payments_sync_stale(older_than_minutes=0)

    old.refresh_from_db()
    assert old.confirmed_status == PaymentStatus.CANCELLED
    cancels = fake_stripe.calls("POST", f"/v1/payment_intents/{old.provider_reference}/cancel")
    assert [c.headers["idempotency-key"] for c in cancels] == [f"payment-{old.pk}-cancel"] * 2
    assert fake_stripe.intents[old.provider_reference]["status"] == "canceled"
    assert invariants_check() == []
