"""Faults of the services around the database: Redis down, Stripe not answering, and
webhook storms. After each, the books agree (stock, payments, refunds, ledger)."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from fulfillment.models import Shipment, ShipmentStatus
from fulfillment.tasks import orders_fulfill_sweep
from partners.models import LedgerEntry
from shop.orders.models import Order, OrderEvent, OrderStatus
from shop.payments.errors import PaymentProviderUnavailable
from shop.payments.models import Payment, PaymentStatus, Refund, RefundStatus, WebhookEvent
from shop.payments.refund_state import refunds_sync_pending
from shop.payments.refunds import refund_create
from shop.payments.services import payment_start, payment_sync
from tests.celery_workers import tasks_sent_to
from tests.factories import StaffFactory, order_with_stock
from tests.hardening.conftest import assert_invariants
from tests.hardening.faults import WebClient, little_shop
from tests.shop.payments.fake_stripe import FakeStripe
from tests.shop.payments.helpers import priced_variant, signed, stripe_event

pytestmark = [pytest.mark.postgresql, pytest.mark.faults, pytest.mark.django_db(transaction=True)]

DOWN = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@contextmanager
def _redis_down(settings) -> Iterator[None]:
    """Cache, throttles and broker all on a Redis that does not answer."""
    with (
        override_settings(
            CACHES={
                "default": {
                    "BACKEND": "shop.core.cache.TolerantRedisCache",
                    "LOCATION": DOWN,
                    "KEY_PREFIX": "faults-down",
                }
            },
            CATALOG_CACHE_SECONDS=60,
            REST_FRAMEWORK={
                **settings.REST_FRAMEWORK,
                "DEFAULT_THROTTLE_RATES": {
                    scope: "1/hour" for scope in ("sign_in", "registration", "cart", "checkout")
                },
            },
        ),
        tasks_sent_to(DOWN),
    ):
        yield


def _browse_buy_and_pay(shop, web: WebClient) -> dict:
    """The product list and page twice, then an order placed and paid; the payment."""
    product = shop.stock.variant.product
    for _ in range(2):  # a second time: nothing was kept, it is computed again
        status, listing = web.call("GET", f"/api/v1/products/?channel={shop.channel.code}")
        assert status == 200, listing
        assert [p["slug"] for p in listing["results"]] == [product.slug]
        status, page = web.call(
            "GET", f"/api/v1/products/{product.slug}/?channel={shop.channel.code}"
        )
        assert status == 200, page
    # Throttles of one request an hour let everything through: they cannot count.
    status, order = web.place(shop, web.cart_ready(shop, quantity=2), key="order-1")
    assert status == 201, order
    status, paid = web.pay(order["number"])
    assert status == 200, paid
    return paid


def test_with_redis_down_the_shop_sells_and_the_sweep_catches_up_later(settings):
    shop = little_shop()
    web = WebClient(shop.token)

    started = time.monotonic()
    with _redis_down(settings):
        paid = _browse_buy_and_pay(shop, web)
    elapsed = time.monotonic() - started

    assert paid["status"] == PaymentStatus.SUCCEEDED
    assert paid["order_status"] == OrderStatus.PAID
    assert elapsed < 10
    stored = Order.objects.get()
    assert (stored.status, stored.amount_paid) == (OrderStatus.PAID, Decimal("268.00"))
    assert not Shipment.objects.exists()  # the fulfilment task could not be sent
    assert_invariants()

    # Redis is back: a minute later the periodic sweep fulfils and books the order.
    Order.objects.filter(pk=stored.pk).update(paid_at=timezone.now() - timedelta(minutes=2))
    assert orders_fulfill_sweep.apply(throw=True).result == {
        "orders": 1,
        "shipments": 0,
        "cancelled": 0,
    }
    shipment = Shipment.objects.get()
    assert shipment.status == ShipmentStatus.BOOKED
    assert Order.objects.get().status == OrderStatus.FULFILLING
    assert orders_fulfill_sweep.apply(throw=True).result == {
        "orders": 0,
        "shipments": 0,
        "cancelled": 0,
    }
    assert_invariants()


def _stripe_paid_order(fake_stripe: FakeStripe) -> tuple[Order, Payment]:
    order = order_with_stock(lines=[(priced_variant("99.00"), 2)])
    payment = payment_start(order=order, provider="stripe")
    fake_stripe.succeed(payment.provider_reference, fee_fen=120)
    payment = payment_sync(payment_id=payment.pk)
    order.refresh_from_db()
    return order, payment


def test_a_refund_stripe_does_not_answer_is_sent_again_once_and_the_books_agree(
    fake_stripe, settings
):
    order, _ = _stripe_paid_order(fake_stripe)
    settings.STRIPE_TIMEOUT_SECONDS = 0.5
    fake_stripe.slow_next(1.5)  # Stripe refunds, but we never hear back

    with pytest.raises(PaymentProviderUnavailable):
        refund_create(order=order, amount=Decimal("40.00"), reason="damaged", user=StaffFactory())

    assert Refund.objects.get().status == RefundStatus.PENDING
    assert_invariants()  # a refund on its way changes none of the books yet

    assert refunds_sync_pending(unanswered_after_seconds=0) == 1

    assert Refund.objects.get().status == RefundStatus.SUCCEEDED
    assert len(fake_stripe.refunds) == 1
    order.refresh_from_db()
    assert (order.status, order.amount_refunded) == (
        OrderStatus.PARTIALLY_REFUNDED,
        Decimal("40.00"),
    )
    assert_invariants()


def _events_of(intent: str) -> list[dict]:
    """Stripe's events for an intent: declined, paid, charged, refunded, refund updated."""
    as_intent = {"id": intent, "object": "payment_intent"}
    as_charge = {"id": f"ch_{intent}", "object": "charge", "payment_intent": intent}
    return [
        stripe_event("payment_intent.payment_failed", as_intent, event_id="evt_failed"),
        stripe_event("payment_intent.succeeded", as_intent, event_id="evt_succeeded"),
        stripe_event("charge.succeeded", as_charge, event_id="evt_charge"),
        stripe_event("charge.refunded", as_charge, event_id="evt_refunded"),
        stripe_event("charge.refund.updated", as_charge, event_id="evt_refund_updated"),
    ]


def _storm(events: list[dict], *, senders: int = 6, times: int = 3) -> list[int]:
    """Every event delivered ``times`` over by each of ``senders`` threads at once, each in
    its own order; the status codes answered."""
    answers: list[int] = []
    lock = threading.Lock()

    def storm(seed: int) -> None:
        client = APIClient()
        deliveries = events * times
        random.Random(seed).shuffle(deliveries)
        try:
            for event in deliveries:
                body, signature = signed(event)
                response = client.generic(
                    "POST",
                    "/api/v1/payments/stripe/webhook/",
                    body,
                    content_type="application/json",
                    HTTP_STRIPE_SIGNATURE=signature,
                )
                with lock:
                    answers.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=storm, args=(seed,)) for seed in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return answers


def test_a_webhook_storm_pays_once_refunds_once_and_writes_the_ledger_once(fake_stripe):
    order = order_with_stock(lines=[(priced_variant("99.00"), 2)])
    payment = payment_start(order=order, provider="stripe")
    intent = payment.provider_reference
    # What happened at Stripe: a first attempt declined, then paid, then 30.00 refunded
    # from Stripe's dashboard. The events arrive many times, concurrently, in any order.
    fake_stripe.succeed(intent, fee_fen=250)
    fake_stripe.refund_in_dashboard(intent, 3000)
    events = _events_of(intent)

    answers = _storm(events, senders=6, times=3)

    assert answers == [200] * (6 * 3 * len(events))
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert (payment.amount, payment.fee, payment.amount_refunded) == (
        Decimal("198.00"),
        Decimal("2.50"),
        Decimal("30.00"),
    )
    assert Payment.objects.filter(order=order, status=PaymentStatus.SUCCEEDED).count() == 1
    assert OrderEvent.objects.filter(order=order, type="payment_succeeded").count() == 1
    assert (order.status, order.amount_paid, order.amount_refunded) == (
        OrderStatus.PARTIALLY_REFUNDED,
        Decimal("198.00"),
        Decimal("30.00"),
    )
    refund = Refund.objects.get(order=order)
    assert (refund.status, refund.amount) == (RefundStatus.SUCCEEDED, Decimal("30.00"))
    sources = set(LedgerEntry.objects.filter(order=order).values_list("source", flat=True))
    assert sources == {f"payment:{payment.pk}", f"payment-fee:{payment.pk}", f"refund:{refund.pk}"}
    assert WebhookEvent.objects.count() == len(events)
    assert not WebhookEvent.objects.filter(processed_at__isnull=True).exists()
    assert_invariants()
