"""Placing an order: from a shopper's cart, or in one step ("buy now"), once per
Idempotency-Key, with its payment started when the request asks for one."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError
from django.utils import timezone

from catalog.errors import SoldOut
from catalog.stock.sold_out import sold_out_mark, sold_out_marked_raise
from shop.carts.errors import CartAlreadyOrdered
from shop.carts.models import Cart, CartStatus
from shop.channels.models import SalesChannel
from shop.checkout.cart_build import LineWanted, checkout_build
from shop.checkout.details import CheckoutDetails
from shop.checkout.order_create import order_create, stock_short_raise
from shop.checkout.rules import VariantFacts, cart_variant_facts
from shop.core.errors import ShopError
from shop.orders.idempotency import order_for_key, request_fingerprint
from shop.orders.models import Order
from shop.payments.models import Payment
from shop.payments.providers.base import PaymentOptions
from shop.payments.services import payment_open_for_placed, payment_provider_check

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Placed:
    order: Order
    created: bool  # False when the same Idempotency-Key returned an earlier order
    # With a payment provider asked for: the order's payment, or why it could not start.
    payment: Payment | None = None
    payment_error: ShopError | None = None


def _placed(
    order: Order,
    created: bool,
    payment_provider: str | None,
    user: Any,
    options: PaymentOptions | None = None,
) -> Placed:
    """The answer of placing ``order`` (``created`` now, or earlier with the same key),
    with its payment started or resumed (the way ``options`` say) when a provider was
    asked for."""
    if payment_provider is None:
        return Placed(order=order, created=created)
    opened = payment_open_for_placed(
        order=order, provider=payment_provider, user=user, options=options
    )
    return Placed(order, created, payment=opened.payment, payment_error=opened.error)


def _sold_out_early_raise(cart: Cart) -> dict[int, VariantFacts]:
    """When a drop sells out, most shoppers arrive too late: tell them before locking or
    writing anything (the conditional updates of the allocation still decide the last
    units between those who pass). Returns the facts of the cart's variants, which
    placing the order goes on with."""
    if cart.status != CartStatus.OPEN:
        return {}  # placing it refuses it
    in_cart = cart_variant_facts(cart.pk, cart.channel, timezone.now())
    stock_short_raise(
        [(pk, known.sku, known.in_cart) for pk, known in in_cart.items()],
        {pk: known.free for pk, known in in_cart.items()},
    )
    return dict(in_cart)


@contextmanager
def _sold_out_marked(channel_id: int) -> Iterator[None]:
    """A refusal for lack of units, read from the database, marks the lines it names
    sold out in the channel (``catalog.stock.sold_out``), so the next shoppers asking
    for them are told before anything is read."""
    try:
        yield
    except SoldOut as exc:
        sold_out_mark(channel_id, exc.fields.get("lines", []))
        raise


def order_place(
    *,
    cart: Cart,
    idempotency_key: str,
    user: Any = None,
    payment_provider: str | None = None,
    payment_options: PaymentOptions | None = None,
) -> Placed:
    """Turn the cart into an order awaiting payment, holding its stock; with
    ``payment_provider``, start paying it too (a storefront's one-step "place and pay").

    The same Idempotency-Key with the same request of the same caller returns the same
    order, never a second one, even when two requests with that key race each other;
    any other request with the key is refused (shop/orders/idempotency.py). The payment
    starts once the order is committed, whatever the provider (one that cannot start it
    then leaves the order placed, and says why in ``payment_error``).
    """
    if payment_provider is not None:
        payment_provider_check(payment_provider)
    fingerprint = request_fingerprint(
        "cart_order", user, {"cart": str(cart.token), "payment_provider": payment_provider}
    )
    existing = order_for_key(cart.channel_id, idempotency_key, fingerprint)
    if existing is None:
        try:
            with _sold_out_marked(cart.channel_id):
                facts = _sold_out_early_raise(cart)
                order = order_create(cart, (idempotency_key, fingerprint), user, facts)
        except (IntegrityError, CartAlreadyOrdered):
            # A request with the same key won the race: answer with its order.
            existing = order_for_key(cart.channel_id, idempotency_key, fingerprint)
            if existing is None:
                raise
        else:
            return _placed(order, True, payment_provider, user, payment_options)
    return _placed(existing, False, payment_provider, user, payment_options)


def order_buy_now(
    *,
    channel: SalesChannel,
    idempotency_key: str,
    user: Any = None,
    language: str = "zh",
    lines: Sequence[LineWanted] = (),
    payment_provider: str | None = None,
    details: CheckoutDetails | None = None,
    payment_options: PaymentOptions | None = None,
) -> Placed:
    """An order in one step, as a storefront's "buy now" asks for it: a cart with its
    lines and checkout details, checked as ``checkout_create`` checks them and kept as the
    order's record, placed at once, and its payment started with ``payment_provider`` as
    ``order_place`` starts it.

    The Idempotency-Key names the purchase in the channel: a retry of the same request
    with a key already used returns that order and stores nothing new, also when two
    requests with the key race each other; another request with it is refused. A
    refused request stores nothing, not even the cart: the cart, its lines and the order
    are written in one transaction."""
    details = details or CheckoutDetails()
    if payment_provider is not None:
        payment_provider_check(payment_provider)
    fingerprint = request_fingerprint(
        "buy_now",
        user,
        {
            "language": language,
            "lines": [[line.sku, line.quantity, line.personalisation] for line in lines],
            "payment_provider": payment_provider,
            **details.as_dict(),
        },
    )
    found = order_for_key(channel.pk, idempotency_key, fingerprint)
    if found is not None:
        return _placed(found, False, payment_provider, user, payment_options)
    # A variant the database found sold out a moment ago is refused at once.
    sold_out_marked_raise(channel.pk, [line.sku for line in lines])
    key = (idempotency_key, fingerprint)
    try:
        with _sold_out_marked(channel.pk):
            built = checkout_build(
                channel=channel, user=user, language=language, lines=lines, details=details
            )
            order = order_create(built.cart, key, user, built.facts, unsaved=built)
    except IntegrityError:
        found = order_for_key(channel.pk, idempotency_key, fingerprint)
        if found is None:
            raise
        return _placed(found, False, payment_provider, user, payment_options)
    return _placed(order, True, payment_provider, user, payment_options)
