"""Turning a checked cart into an order, in one transaction: the cart locked (or stored,
for buying now), every rule checked again, the order and its lines written, the voucher
counted, the stock held."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalog.errors import InsufficientStock, SoldOut
from shop.carts.errors import CartAlreadyOrdered
from shop.carts.models import Cart, CartLine, CartStatus
from shop.carts.selectors import cart_locked_with_lines
from shop.checkout.cart_build import CartCreated, cart_store
from shop.checkout.cart_pricing import PricedLine, cart_priced_lines_with, cart_totals
from shop.checkout.details import missing_details, shipping_serves_raise
from shop.checkout.errors import CartEmpty, CheckoutIncomplete
from shop.checkout.models import Voucher
from shop.checkout.rules import (
    VariantFacts,
    customer_lock,
    personalisation_check,
    purchase_limit_check,
    variant_facts,
    variant_facts_raise,
)
from shop.checkout.vouchers import voucher_use
from shop.core import metrics
from shop.core.db import next_id, related_cache_set, transaction_retry
from shop.core.hooks import hooks
from shop.core.i18n import pick
from shop.core.kept_inserts import kept_insert
from shop.core.permissions import signed_in
from shop.core.tasks import enqueue_on_commit
from shop.orders.allocation import lines_allocate, variants_available
from shop.orders.lines import order_line_new
from shop.orders.models import Order, OrderEventType, OrderLine
from shop.orders.numbers import order_number_new
from shop.orders.services import order_event_write

Short = list[tuple[int, str, int]]  # (variant id, sku, quantity) of each line


def stock_short_raise(lines: Short, free: Mapping[int, int], *, always: bool = False) -> None:
    """Raise SoldOut when no unit of the short lines is free, InsufficientStock when some
    are; ``free`` are the free units by variant id. Without ``always`` nothing is raised
    while every variant has enough free units for all its lines together."""
    needed: dict[int, int] = {}
    for variant_id, _sku, quantity in lines:
        needed[variant_id] = needed.get(variant_id, 0) + quantity
    if not always and all(free.get(v, 0) >= units for v, units in needed.items()):
        return
    short = [(v, sku) for v, sku, quantity in lines if free.get(v, 0) < quantity]
    if short and all(free.get(v, 0) == 0 for v, _ in short):
        raise SoldOut(fields={"lines": [sku for _, sku in short]})
    raise InsufficientStock(fields={"lines": [sku for _, sku in short]})


def _cart_for_placing(cart: Cart, unsaved: CartCreated | None) -> tuple[Cart, list[CartLine]]:
    """The cart locked and read again with its lines; with ``unsaved`` (buying now) the
    built cart stored as ordered, which no one else knows yet."""
    if unsaved is None:
        cart = cart_locked_with_lines(cart.pk)
        if cart.status != CartStatus.OPEN:
            raise CartAlreadyOrdered()
    else:
        cart.status = CartStatus.ORDERED
        cart_store(unsaved)
    lines = list(cart.lines.all())
    if not lines:
        raise CartEmpty()
    return cart, lines


def _customer_lock_needed(priced: list[PricedLine], voucher: Voucher | None) -> bool:
    """Only a limit per customer needs this customer's checkouts one after another."""
    if voucher is not None and voucher.usage_limit_per_customer is not None:
        return True
    return any(p.line.variant.product.purchase_limit is not None for p in priced)


def _rules_check(
    cart: Cart, priced: list[PricedLine], facts: dict[int, VariantFacts], user_id: int | None
) -> None:
    """Every rule again, now that the cart is locked: details, stock, sale, limits."""
    missing = missing_details(cart)
    if missing:
        raise CheckoutIncomplete(fields=missing)
    shipping_serves_raise(cart)
    free = {pk: known.free for pk, known in facts.items()}
    stock_short_raise(
        [(p.line.variant_id, p.line.variant.sku, p.line.quantity) for p in priced], free
    )
    if _customer_lock_needed(priced, cart.voucher):
        customer_lock(cart.email, user_id)
    units_by_product: dict[int, int] = {}
    for p in priced:
        variant = p.line.variant
        variant_facts_raise(variant, facts)
        personalisation_check(variant.product, p.line.personalisation)
        units_by_product[variant.product_id] = (
            units_by_product.get(variant.product_id, 0) + p.line.quantity
        )
    for p in priced:
        product = p.line.variant.product
        if product.pk in units_by_product:
            purchase_limit_check(
                product, units_by_product.pop(product.pk), user_id=user_id, email=cart.email
            )


def _order_write(
    cart: Cart, priced: list[PricedLine], user_id: int | None, key: tuple[str, str], now: datetime
) -> Order:
    """The order of the cart, numbered and inserted; ``key``: the Idempotency-Key and the
    fingerprint of the request that places it."""
    totals = cart_totals(cart, priced)
    assert cart.shipping_method is not None
    order = Order(
        id=next_id(Order),
        channel=cart.channel,
        user_id=user_id,
        cart=cart,
        idempotency_key=key[0],
        idempotency_fingerprint=key[1],
        email=cart.email,
        phone=cart.phone,
        shipping_address=cart.shipping_address,
        shipping_method=cart.shipping_method,
        shipping_method_name=pick(cart.shipping_method, "name", cart.language),
        voucher_code=cart.voucher.code if cart.voucher else "",
        note=cart.note,
        language=cart.language,
        subtotal=totals.subtotal,
        shipping_price=totals.shipping,
        discount=totals.discount,
        total=totals.total,
        expires_at=now + timedelta(minutes=settings.SHOP_UNPAID_ORDER_MINUTES),
    )
    if order.pk is not None:
        order.number = order_number_new(order_id=order.pk, day=timezone.localdate(now))
        kept_insert(Order).insert([order])
    else:  # no sequence to ask (SQLite): the number follows the id the insert gives
        kept_insert(Order).insert([order])
        order.number = order_number_new(order_id=order.pk, day=timezone.localdate(now))
        Order.objects.filter(pk=order.pk).update(number=order.number)
    return order


def _order_lines_write(order: Order, priced: list[PricedLine], now: datetime) -> list[OrderLine]:
    """The order's lines as sold, with the revenue-share terms in force today."""
    versions = hooks().agreement_versions_in_force(
        {p.line.variant.product_id: p.line.variant.product.collection_id for p in priced},
        timezone.localdate(now),
    )
    return kept_insert(OrderLine).insert(
        [
            order_line_new(
                order=order,
                variant=p.line.variant,
                quantity=p.line.quantity,
                unit_price=p.unit_price,
                language=order.language,
                personalisation=p.line.personalisation,
                agreement_version_id=versions.get(p.line.variant.product_id),
            )
            for p in priced
        ]
    )


def _stock_hold(order_lines: list[OrderLine], order: Order, now: datetime) -> None:
    """Hold every line's units, or say which lines are short."""
    held = lines_allocate(
        [(line, line.quantity) for line in order_lines],
        channel=order.channel,
        expires_at=now + timedelta(minutes=settings.SHOP_RESERVATION_MINUTES),
    )
    if not held:
        stock_short_raise(
            [(line.variant_id, line.sku, line.quantity) for line in order_lines],
            variants_available({line.variant_id for line in order_lines}),
            always=True,
        )


def _placed_record(order: Order, order_lines: list[OrderLine], user: Any) -> None:
    """The order's placed event, its e-mail and its count, once it commits."""
    placed = order_event_write(
        order,
        OrderEventType.PLACED,
        to_status=order.status,
        data={"total": str(order.total), "lines": len(order_lines)},
        user=user,
    )
    # Everything the answer shows of the new order is here: no need to read it back.
    related_cache_set(order, "lines", order_lines)
    related_cache_set(order, "events", [placed])
    enqueue_on_commit("fulfillment.order_email_send", order.pk, "order_confirmation")
    channel_code = order.channel.code
    transaction.on_commit(lambda: metrics.order_placed(channel_code))


# Placing locks the cart, the customer and many stock rows; should PostgreSQL abort it
# in a deadlock with another checkout, nothing of it was written and it runs again.
@transaction_retry
@transaction.atomic
def order_create(
    cart: Cart,
    key: tuple[str, str],
    user: Any,
    facts: dict[int, VariantFacts],
    *,
    unsaved: CartCreated | None = None,
) -> Order:
    """The order of the cart. ``key``: the Idempotency-Key and the request's fingerprint;
    ``facts``: those of the cart's variants known already (the early look's). With
    ``unsaved`` (``checkout_build``'s), the cart is stored here, as ordered."""
    now = timezone.now()
    cart, lines = _cart_for_placing(cart, unsaved)
    facts = dict(facts)  # completed below; a rerun starts from the early look's again
    missing_facts = {line.variant_id for line in lines} - set(facts)
    if missing_facts:  # lines added meanwhile, or no early look
        facts.update(variant_facts(missing_facts, cart.channel, now))
    priced = cart_priced_lines_with(lines, {pk: known.price for pk, known in facts.items()})
    acting = signed_in(user)
    user_id = cart.user_id or (acting.pk if acting is not None else None)
    _rules_check(cart, priced, facts, user_id)
    order = _order_write(cart, priced, user_id, key, now)
    order_lines = _order_lines_write(order, priced, now)
    if cart.voucher is not None:
        voucher_use(cart.voucher, order, now)
    _stock_hold(order_lines, order, now)
    if unsaved is None:
        cart.status = CartStatus.ORDERED
        cart.save(update_fields=["status", "updated_at"])
    _placed_record(order, order_lines, user)
    return order
