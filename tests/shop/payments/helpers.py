"""Helpers for payment tests: what the payment code wrote to the partner ledger and sent
to the task queue, paid orders, signed Stripe webhooks, the partner ledger as written."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import redis
import stripe
from django.db.models import Min

from partners.models import LedgerEntry
from shop.celery import QUEUES
from shop.core.money import MoneySum
from shop.orders.models import Order
from shop.payments.models import Payment
from shop.payments.services import payment_fake_complete, payment_start
from tests.factories import ProductVariantFactory, order_with_stock, stock_with_units

WEBHOOK_SECRET = "whsec_test_shop"


# The tasks of fulfilment the payment code sends (by name), as the tests call them.
WATCHED_TASKS = {
    "fulfillment.order_paid": "order_paid",
    "fulfillment.order_email_send": "order_email_send",
}


@dataclass
class Effects:
    """What the payment code left behind: the partner ledger's entries (read from their
    rows) and the fulfilment tasks it sent (read from the broker, where they wait, since
    no worker takes them)."""

    broker: str

    def _ledger(self, prefix: str) -> list[int]:
        sources = (
            LedgerEntry.objects.filter(source__startswith=prefix)
            .values("source")
            .annotate(first=Min("pk"))
            .order_by("first")
        )
        return [int(row["source"].removeprefix(prefix)) for row in sources]

    @property
    def ledger_payments(self) -> list[int]:
        """The payments whose sale entered the ledger, in the order they did."""
        return self._ledger("payment:")

    @property
    def ledger_refunds(self) -> list[int]:
        """The refunds whose reversal entered the ledger, in the order they did."""
        return self._ledger("refund:")

    @property
    def tasks(self) -> list[tuple[str, tuple]]:
        """The fulfilment tasks sent, with their arguments (oldest first in each queue)."""
        client = redis.Redis.from_url(self.broker)
        messages = [json.loads(m) for queue in QUEUES for m in client.lrange(queue, 0, -1)]
        sent = []
        # Each queue is pushed on the left; the oldest message is its last.
        for message in reversed(messages):
            name = WATCHED_TASKS.get(message["headers"]["task"])
            if name is not None:
                args = json.loads(base64.b64decode(message["body"]))[0]
                sent.append((name, tuple(args)))
        return sent


@contextmanager
def effects_recorded() -> Iterator[Effects]:
    """Tasks go to the test broker (Redis) instead of running in-process, for
    :class:`Effects` to read; the ledger is the real one."""
    from tests.celery_workers import broker_flush, broker_url, tasks_sent_to

    url = broker_url()
    broker_flush(url)
    with tasks_sent_to(url):
        yield Effects(broker=url)
    broker_flush(url)


def priced_variant(price: str = "99.00", units: int = 10):
    variant = ProductVariantFactory(price=Decimal(price))
    stock_with_units(variant=variant, quantity=units)
    return variant


def paid_order(*, quantity: int = 1, price: str = "99.00", **kwargs: Any) -> tuple[Order, Payment]:
    """An order paid through the fake provider, the way a shopper pays it."""
    order = order_with_stock(lines=[(priced_variant(price), quantity)], **kwargs)
    payment = payment_start(order=order, provider="fake")
    payment = payment_fake_complete(payment=payment, outcome="succeed")
    order.refresh_from_db()
    return order, payment


def stripe_event(
    event_type: str, obj: dict[str, Any], *, event_id: str = "evt_1"
) -> dict[str, Any]:
    return {
        "id": event_id,
        "object": "event",
        "type": event_type,
        "api_version": "2024-06-20",
        "created": 1700000000,
        "livemode": False,
        "data": {"object": obj},
    }


def signature_for(payload: bytes, secret: str = WEBHOOK_SECRET) -> str:
    """The Stripe-Signature header Stripe would send with ``payload``, whatever it holds."""
    return stripe.WebhookSignature.generate_signature_header(payload.decode(), secret)


def signed(event: dict[str, Any], secret: str = WEBHOOK_SECRET) -> tuple[bytes, str]:
    """The body and the Stripe-Signature header Stripe would send."""
    payload = json.dumps(event).encode()
    return payload, signature_for(payload, secret)


_MISSING = object()


def _event_with(**changes: Any) -> bytes:
    """A payment_intent.succeeded event with the ``a__b`` paths replaced (or removed)."""
    event = stripe_event("payment_intent.succeeded", {"id": "pi_1", "object": "payment_intent"})
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        target = event
        for parent in parents:
            target = target[parent]
        if value is _MISSING:
            del target[last]
        else:
            target[last] = value
    return json.dumps(event).encode()


_CHARGE = {"id": "ch_1", "object": "charge"}

# name -> (body, the code it is refused with, the fields named). Each is refused whether
# or not it is signed with the webhook secret.
WRONG_SHAPE_EVENTS: dict[str, tuple[bytes, str, set[str]]] = {
    "array": (b'[{"id": "evt_1", "type": "payment_intent.succeeded"}]', "not_an_object", set()),
    "string": (b'"evt_1"', "not_an_object", set()),
    "number": (b"1", "not_an_object", set()),
    "data_object_list": (_event_with(data__object=[]), "invalid_event", {"data.object"}),
    "data_object_missing": (
        _event_with(data__object=_MISSING),
        "invalid_event",
        {"data.object"},
    ),
    "data_missing": (_event_with(data=_MISSING), "invalid_event", {"data"}),
    "data_string": (_event_with(data="x"), "invalid_event", {"data"}),
    "type_number": (_event_with(type=5), "invalid_event", {"type"}),
    "type_missing": (_event_with(type=_MISSING), "invalid_event", {"type"}),
    "id_number": (_event_with(id=123), "invalid_event", {"id"}),
    "id_empty": (_event_with(id=""), "invalid_event", {"id"}),
    "id_too_long": (_event_with(id="evt_" + "x" * 97), "invalid_event", {"id"}),
    "id_and_type_wrong": (_event_with(id=None, type=[]), "invalid_event", {"id", "type"}),
    "object_id_list": (_event_with(data__object__id=[]), "invalid_event", {"data.object.id"}),
    "object_kind_number": (
        _event_with(data__object__object=5),
        "invalid_event",
        {"data.object.object"},
    ),
    "payment_intent_number": (
        _event_with(data__object={**_CHARGE, "payment_intent": 5}),
        "invalid_event",
        {"data.object.payment_intent"},
    ),
    "payment_intent_object_without_id": (
        _event_with(data__object={**_CHARGE, "payment_intent": {"amount": 100}}),
        "invalid_event",
        {"data.object.payment_intent"},
    ),
    "nested_1000": (
        b'{"id": "evt_1", "data": ' + b"[" * 1000 + b"]" * 1000 + b"}",
        "too_deep",
        set(),
    ),
    "nan": (_event_with(data__object__amount=float("nan")), "invalid_number", set()),
    "nul": (_event_with(id="evt_\u0000"), "invalid_character", set()),
    "duplicate_id": (
        b'{"id": "evt_1", "id": "evt_2", "type": "x", "data": {"object": {}}}',
        "duplicate_key",
        set(),
    ),
}


def webhook_post(client: Any, event: dict[str, Any]) -> Any:
    """Deliver a Stripe event to the shop's webhook as Stripe does: signed, raw body."""
    payload, signature = signed(event)
    return client.generic(
        "POST",
        "/api/v1/payments/stripe/webhook/",
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature,
    )


def ledger_total(order: Order) -> Decimal:
    """What the partner ledger holds for the order, all partners together."""
    # MoneySum: exact to the fen on SQLite too, which adds decimals as floating point.
    total = LedgerEntry.objects.filter(order_id=order.pk).aggregate(total=MoneySum("amount"))[
        "total"
    ]
    return total if total is not None else Decimal("0.00")


def ledger_sources(order: Order) -> set[str]:
    return set(LedgerEntry.objects.filter(order_id=order.pk).values_list("source", flat=True))
