"""Checkout: contact and address, shipping, vouchers, totals, and placing the order."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.errors import InsufficientStock, SoldOut
from shop.carts.errors import CartAlreadyOrdered
from shop.carts.models import Cart, CartLine, CartStatus
from shop.carts.selectors import (
    cart_line_prices,
    cart_lines_load,
    cart_lines_set,
    cart_locked_with_lines,
)
from shop.channels.models import SalesChannel
from shop.checkout.errors import (
    CartEmpty,
    CheckoutIncomplete,
    ShippingMethodUnavailable,
    VariantNotFound,
    VoucherInvalid,
)
from shop.checkout.models import ShippingMethod, Voucher, VoucherUse
from shop.checkout.pricing import Totals, totals_compute, variant_prices
from shop.checkout.rules import (
    VariantFacts,
    cart_variant_facts,
    customer_lock,
    personalisation_check,
    purchase_limit_check,
    stock_enough_check,
    variant_facts,
    variant_facts_raise,
    variants_with_facts,
)
from shop.checkout.selectors import shipping_method_active
from shop.core import metrics, sql
from shop.core.db import next_id, related_cache_set, transaction_retry
from shop.core.errors import InvalidInput, ShopError
from shop.core.hooks import hooks
from shop.core.i18n import pick
from shop.core.permissions import signed_in
from shop.core.tasks import enqueue_on_commit
from shop.orders.allocation import lines_allocate, variants_available
from shop.orders.idempotency import order_for_key, request_fingerprint
from shop.orders.models import Order, OrderEventType, OrderLine
from shop.orders.numbers import order_number_new
from shop.orders.services import order_event
from shop.payments.models import Payment
from shop.payments.services import payment_open_for_placed, payment_provider_check

logger = logging.getLogger(__name__)


def shipping_method_serves(method: ShippingMethod, address: dict[str, Any]) -> bool:
    country = (address.get("country") or "").upper()
    if method.countries and country not in method.countries:
        return False
    return not (method.provinces and address.get("province") not in method.provinces)


def shipping_methods_for(address: dict[str, Any]) -> list[ShippingMethod]:
    return [
        m
        for m in ShippingMethod.objects.filter(is_active=True)
        if shipping_method_serves(m, address)
    ]


def voucher_validate(
    code: str, *, subtotal: Any, email: str, user_id: int | None, now: datetime
) -> Voucher:
    """The voucher for ``code`` if this customer may use it on this subtotal now."""
    voucher = Voucher.objects.filter(code__iexact=code.strip(), is_active=True).first()
    if voucher is None:
        raise VoucherInvalid(_("No such voucher."), fields={"voucher_code": [_("Unknown code.")]})
    if voucher.valid_from and voucher.valid_from > now:
        raise VoucherInvalid(_("This voucher is not valid yet."), code="voucher_not_started")
    if voucher.valid_until and voucher.valid_until <= now:
        raise VoucherInvalid(_("This voucher has expired."), code="voucher_expired")
    if subtotal < voucher.min_spend:
        raise VoucherInvalid(
            _("This voucher needs a subtotal of at least %(amount)s.")
            % {"amount": voucher.min_spend},
            code="voucher_min_spend",
        )
    if voucher.usage_limit is not None and voucher.times_used >= voucher.usage_limit:
        raise VoucherInvalid(_("This voucher has been used up."), code="voucher_used_up")
    if voucher.usage_limit_per_customer is not None and (email or user_id):
        who = Q(customer_email__iexact=email) if email else Q()
        if user_id:
            who |= Q(order__user_id=user_id)
        used = VoucherUse.objects.filter(who, voucher=voucher).count()
        if used >= voucher.usage_limit_per_customer:
            raise VoucherInvalid(
                _("You have already used this voucher as often as allowed."),
                code="voucher_customer_limit",
            )
    return voucher


@dataclass(frozen=True)
class PricedLine:
    line: CartLine
    unit_price: Any
    line_total: Any


def cart_priced_lines(cart: Cart, *, prices: Mapping[int, Any] | None = None) -> list[PricedLine]:
    """The cart's lines with their prices, oldest first. Uses the lines already fetched
    with the cart (``cart.lines.all()`` prefetched with their variants and products) when
    there are, and the prices known already: ``prices`` (the channel price by variant id,
    as ``variant_facts`` gives them) when they name every line's variant, or those the
    lines were read with; otherwise the channel prices of all lines come in one query."""
    prefetched = getattr(cart, "_prefetched_objects_cache", {}).get("lines")
    lines = list(prefetched) if prefetched is not None else cart_lines_load(cart)
    if prices is None or any(line.variant_id not in prices for line in lines):
        prices = cart_line_prices(lines)
    if prices is None:
        prices = variant_prices([line.variant for line in lines], cart.channel_id)
    return cart_priced_lines_with(lines, prices)


def cart_priced_lines_with(lines: list[CartLine], prices: Mapping[int, Any]) -> list[PricedLine]:
    """``lines`` priced at ``prices`` (by variant id), oldest first."""
    return [
        PricedLine(
            line=line,
            unit_price=prices[line.variant_id],
            line_total=prices[line.variant_id] * line.quantity,
        )
        for line in sorted(lines, key=lambda line: line.pk)
    ]


def cart_totals(cart: Cart, priced: list[PricedLine] | None = None) -> Totals:
    priced = cart_priced_lines(cart) if priced is None else priced
    return totals_compute((p.line_total for p in priced), cart.shipping_method, cart.voucher)


def _details_apply(
    cart: Cart,
    *,
    email: str | None = None,
    phone: str | None = None,
    shipping_address: dict[str, Any] | None = None,
    shipping_method_code: str | None = None,
    voucher_code: str | None = None,
    note: str | None = None,
    subtotal: Decimal | None = None,
) -> list[str]:
    """Set the given checkout details on ``cart`` (in memory) after checking them;
    returns the names of the fields that changed. ``subtotal``: the cart's, when the
    caller knows it (a voucher needs it)."""
    changed: list[str] = []
    if email is not None:
        cart.email = email.lower()
        changed.append("email")
    if phone is not None:
        cart.phone = phone
        changed.append("phone")
    if shipping_address is not None:
        cart.shipping_address = shipping_address
        changed.append("shipping_address")
    if note is not None:
        cart.note = note
        changed.append("note")
    if shipping_method_code is not None:
        method = shipping_method_active(shipping_method_code)
        if method is None:
            raise ShippingMethodUnavailable(
                _("No such shipping method."), fields={"shipping_method": [_("Unknown method.")]}
            )
        cart.shipping_method = method
        changed.append("shipping_method")
    if (
        cart.shipping_method
        and cart.shipping_address
        and not shipping_method_serves(cart.shipping_method, cart.shipping_address)
    ):
        raise ShippingMethodUnavailable(fields={"shipping_method": [_("Does not deliver there.")]})
    if voucher_code is not None:
        if voucher_code.strip():
            cart.voucher = voucher_validate(
                voucher_code,
                subtotal=cart_totals(cart).subtotal if subtotal is None else subtotal,
                email=cart.email,
                user_id=cart.user_id,
                now=timezone.now(),
            )
        else:
            cart.voucher = None
        changed.append("voucher")
    return changed


@transaction.atomic
def checkout_update(
    *,
    cart: Cart,
    user: Any = None,
    email: str | None = None,
    phone: str | None = None,
    shipping_address: dict[str, Any] | None = None,
    shipping_method_code: str | None = None,
    voucher_code: str | None = None,
    note: str | None = None,
) -> Cart:
    """Set the checkout details that were given; ``voucher_code=""`` removes the voucher.

    ``cart`` is the cart as just read (with its shipping method and voucher); only the
    given details are written, in one conditional update that also refuses a cart
    ordered meanwhile. Placing the order checks the details again under lock.
    """
    if cart.status != CartStatus.OPEN:
        raise CartAlreadyOrdered()
    changed = _details_apply(
        cart,
        email=email,
        phone=phone,
        shipping_address=shipping_address,
        shipping_method_code=shipping_method_code,
        voucher_code=voucher_code,
        note=note,
    )
    cart.updated_at = timezone.now()
    values = {name: getattr(cart, name) for name in [*changed, "updated_at"]}
    if not Cart.objects.filter(pk=cart.pk, status=CartStatus.OPEN).update(**values):
        raise CartAlreadyOrdered()
    return cart


@dataclass(frozen=True)
class LineWanted:
    """A line a shopper asks for when a cart is created with its lines."""

    sku: str
    quantity: int
    personalisation: str = ""


@dataclass(frozen=True)
class CartCreated:
    cart: Cart  # with every line in ``cart.lines.all()``
    prices: dict[int, Decimal]  # the channel price of each line's variant
    facts: dict[int, VariantFacts] = field(default_factory=dict)  # by variant id, as checked
    # The cart's lines, to store with it (``checkout_build``'s cart is not stored yet).
    unsaved_lines: list[CartLine] = field(default_factory=list)


MAX_LINES = 50


def _line_rule_raise(sku: str, check: Any, *args: Any, **kwargs: Any) -> Any:
    """Run one rule for the line of ``sku``; its error names the line."""
    try:
        return check(*args, **kwargs)
    except ShopError as exc:
        exc.fields = {"lines": [sku], **exc.fields}
        raise


def checkout_create(**wanted: Any) -> CartCreated:
    """A new cart with its lines and checkout details in one step, as a storefront's
    "buy now" asks for it (``checkout_build`` names what it takes). Every line and
    detail is checked as adding the lines and saving the details one after another
    would check them, and nothing is stored unless all of it passes. Lines of the same
    variant and text become one line."""
    built = checkout_build(**wanted)
    with transaction.atomic():
        _cart_store(built)
    return built


def _cart_store(built: CartCreated) -> None:
    """Insert the built cart and its lines (again with the ids of the first time, when a
    transaction that stored them is run again)."""
    sql.insert([built.cart])
    for line in built.unsaved_lines:
        line.cart = built.cart  # its id, now that it has one
    cart_lines_set(built.cart, sql.insert(built.unsaved_lines))


def checkout_build(
    *,
    channel: SalesChannel,
    user: Any = None,
    language: str = "zh",
    lines: Sequence[LineWanted] = (),
    email: str | None = None,
    phone: str | None = None,
    shipping_address: dict[str, Any] | None = None,
    shipping_method_code: str | None = None,
    voucher_code: str | None = None,
    note: str | None = None,
) -> CartCreated:
    """The cart ``checkout_create`` stores, checked but not stored: its lines are in
    ``unsaved_lines``."""
    if len(lines) > MAX_LINES:
        raise InvalidInput(fields={"lines": [_("At most %(count)s lines.") % {"count": MAX_LINES}]})
    acting = signed_in(user)
    cart = Cart(
        channel=channel,
        user_id=acting.pk if acting is not None else None,
        email=acting.email if acting is not None else "",
        language=language,
    )
    found = variants_with_facts([line.sku for line in lines], channel, timezone.now())
    unknown = [line.sku for line in lines if line.sku not in found]
    if unknown:
        raise VariantNotFound(fields={"lines": unknown})
    variants = {sku: variant for sku, (variant, _) in found.items()}
    facts = {variant.pk: known for variant, known in found.values()}
    if email is not None:
        cart.email = email.lower()  # the purchase limits below count this customer's orders
    quantities: dict[tuple[str, str], int] = {}
    for line in lines:
        variant = variants[line.sku]
        text = _line_rule_raise(
            line.sku, personalisation_check, variant.product, line.personalisation
        )
        quantities[(line.sku, text)] = quantities.get((line.sku, text), 0) + line.quantity
    by_variant: dict[str, int] = {}
    by_product: dict[int, tuple[str, int]] = {}
    for (sku, _text), quantity in quantities.items():
        by_variant[sku] = by_variant.get(sku, 0) + quantity
        product_id = variants[sku].product_id
        by_product[product_id] = (sku, by_product.get(product_id, (sku, 0))[1] + quantity)
    for sku, quantity in by_variant.items():
        variant = variants[sku]
        _line_rule_raise(sku, variant_facts_raise, variant, facts)
        _line_rule_raise(sku, stock_enough_check, facts.get(variant.pk), quantity)
    for sku, quantity in by_product.values():
        _line_rule_raise(
            sku,
            purchase_limit_check,
            variants[sku].product,
            quantity,
            user_id=cart.user_id,
            email=cart.email,
        )
    prices = {variant.pk: facts[variant.pk].price for variant in variants.values()}
    _details_apply(
        cart,
        email=email,
        phone=phone,
        shipping_address=shipping_address,
        shipping_method_code=shipping_method_code,
        voucher_code=voucher_code,
        note=note,
        subtotal=sum(
            (prices[variants[sku].pk] * quantity for (sku, _), quantity in quantities.items()),
            Decimal("0.00"),
        ),
    )
    unsaved = [
        CartLine(cart=cart, variant=variants[sku], quantity=quantity, personalisation=text)
        for (sku, text), quantity in quantities.items()
    ]
    return CartCreated(cart=cart, prices=prices, facts=facts, unsaved_lines=unsaved)


def _missing_details(cart: Cart) -> dict[str, list[str]]:
    missing: dict[str, list[str]] = {}
    if not cart.email:
        missing["email"] = [_("An e-mail address is needed.")]
    if not cart.shipping_address:
        missing["shipping_address"] = [_("A shipping address is needed.")]
    if cart.shipping_method_id is None:
        missing["shipping_method"] = [_("Choose a shipping method.")]
    return missing


def _voucher_use(voucher: Voucher, order: Order, now: datetime) -> None:
    # Re-check under the customer lock; the conditional update guards the overall limit.
    voucher_validate(
        voucher.code, subtotal=order.subtotal, email=order.email, user_id=order.user_id, now=now
    )
    used = Voucher.objects.filter(pk=voucher.pk)
    if voucher.usage_limit is not None:
        used = used.filter(times_used__lt=voucher.usage_limit)
    if used.update(times_used=F("times_used") + 1) != 1:
        raise VoucherInvalid(_("This voucher has been used up."), code="voucher_used_up")
    VoucherUse.objects.create(voucher=voucher, order=order, customer_email=order.email)


@dataclass(frozen=True)
class Placed:
    order: Order
    created: bool  # False when the same Idempotency-Key returned an earlier order
    # With a payment provider asked for: the order's payment, or why it could not start.
    payment: Payment | None = None
    payment_error: ShopError | None = None


def order_place(
    *, cart: Cart, idempotency_key: str, user: Any = None, payment_provider: str | None = None
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
        facts = _sold_out_early_raise(cart)
        try:
            order = _order_place(cart, idempotency_key, fingerprint, user, facts)
        except (IntegrityError, CartAlreadyOrdered):
            # A request with the same key won the race: answer with its order.
            existing = order_for_key(cart.channel_id, idempotency_key, fingerprint)
            if existing is None:
                raise
        else:
            return _placed_new(order, payment_provider, user)
    return _placed_again(existing, payment_provider, user)


def order_buy_now(
    *,
    channel: SalesChannel,
    idempotency_key: str,
    user: Any = None,
    language: str = "zh",
    lines: Sequence[LineWanted] = (),
    payment_provider: str | None = None,
    **details: Any,
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
    if payment_provider is not None:
        payment_provider_check(payment_provider)
    fingerprint = request_fingerprint(
        "buy_now",
        user,
        {
            "language": language,
            "lines": [[line.sku, line.quantity, line.personalisation] for line in lines],
            "payment_provider": payment_provider,
            **details,
        },
    )
    found = order_for_key(channel.pk, idempotency_key, fingerprint)
    if found is not None:
        return _placed_again(found, payment_provider, user)
    built = checkout_build(channel=channel, user=user, language=language, lines=lines, **details)
    try:
        order = _order_place(
            built.cart, idempotency_key, fingerprint, user, built.facts, unsaved=built
        )
    except IntegrityError:
        found = order_for_key(channel.pk, idempotency_key, fingerprint)
        if found is None:
            raise
        return _placed_again(found, payment_provider, user)
    return _placed_new(order, payment_provider, user)


def _placed_new(order: Order, payment_provider: str | None, user: Any) -> Placed:
    if payment_provider is None:
        return Placed(order=order, created=True)
    opened = payment_open_for_placed(order=order, provider=payment_provider, user=user)
    return Placed(order, True, payment=opened.payment, payment_error=opened.error)


def _placed_again(existing: Order, payment_provider: str | None, user: Any) -> Placed:
    if payment_provider is None:
        return Placed(order=existing, created=False)
    opened = payment_open_for_placed(order=existing, provider=payment_provider, user=user)
    return Placed(existing, False, payment=opened.payment, payment_error=opened.error)


def _stock_short_raise(
    lines: list[tuple[int, str, int]], free: Mapping[int, int], *, always: bool = False
) -> None:
    """Raise SoldOut when no unit of the short lines is free, InsufficientStock when some
    are; ``lines`` are (variant id, sku, quantity), ``free`` the free units by variant id.
    Without ``always`` nothing is raised while every variant has enough free units for
    all its lines together."""
    needed: dict[int, int] = {}
    for variant_id, _sku, quantity in lines:
        needed[variant_id] = needed.get(variant_id, 0) + quantity
    if not always and all(free.get(v, 0) >= units for v, units in needed.items()):
        return
    short = [(v, sku) for v, sku, quantity in lines if free.get(v, 0) < quantity]
    if short and all(free.get(v, 0) == 0 for v, _ in short):
        raise SoldOut(fields={"lines": [sku for _, sku in short]})
    raise InsufficientStock(fields={"lines": [sku for _, sku in short]})


def _sold_out_early_raise(cart: Cart) -> dict[int, VariantFacts]:
    """When a drop sells out, most shoppers arrive too late: tell them before locking or
    writing anything (the conditional updates of lines_allocate still decide the last
    units between those who pass). Returns the facts of the cart's variants, which
    placing the order goes on with."""
    if not Cart.channel.is_cached(cart) or cart.status != CartStatus.OPEN:  # type: ignore[attr-defined]
        return {}
    in_cart = cart_variant_facts(cart.pk, cart.channel, timezone.now())
    _stock_short_raise(
        [(pk, known.sku, known.in_cart) for pk, known in in_cart.items()],
        {pk: known.free for pk, known in in_cart.items()},
    )
    return dict(in_cart)


def _customer_lock_needed(priced: list[PricedLine], voucher: Voucher | None) -> bool:
    """Only a limit per customer needs this customer's checkouts one after another."""
    if voucher is not None and voucher.usage_limit_per_customer is not None:
        return True
    return any(p.line.variant.product.purchase_limit is not None for p in priced)


# Placing locks the cart, the customer and many stock rows; should PostgreSQL abort it
# in a deadlock with another checkout, nothing of it was written and it runs again.
@transaction_retry
@transaction.atomic
def _order_place(
    cart: Cart,
    idempotency_key: str,
    fingerprint: str,
    user: Any,
    facts: dict[int, VariantFacts],
    *,
    unsaved: CartCreated | None = None,
) -> Order:
    """The order. With ``unsaved`` (``checkout_build``'s), the cart is stored here,
    as ordered, with its lines: no one else knows it yet, so it is neither locked nor
    read again."""
    channel = cart.channel if Cart.channel.is_cached(cart) else None  # type: ignore[attr-defined]
    now = timezone.now()
    facts = dict(facts)  # the early look's, completed below; a rerun starts from them again
    if unsaved is None:
        cart = cart_locked_with_lines(cart.pk)
        if cart.status != CartStatus.OPEN:
            raise CartAlreadyOrdered()
    else:
        cart.status = CartStatus.ORDERED
        _cart_store(unsaved)
    lines = list(cart.lines.all())
    if channel is not None:
        cart.channel = channel
    if not lines:
        raise CartEmpty()
    missing_facts = {line.variant_id for line in lines} - set(facts)
    if missing_facts:  # lines added meanwhile, or no early look
        facts.update(variant_facts(missing_facts, cart.channel, now))
    priced = cart_priced_lines_with(lines, {pk: known.price for pk, known in facts.items()})
    missing = _missing_details(cart)
    if missing:
        raise CheckoutIncomplete(fields=missing)
    assert cart.shipping_method is not None
    if not shipping_method_serves(cart.shipping_method, cart.shipping_address):
        raise ShippingMethodUnavailable(fields={"shipping_method": [_("Does not deliver there.")]})
    free = {pk: known.free for pk, known in facts.items()}
    _stock_short_raise(
        [(p.line.variant_id, p.line.variant.sku, p.line.quantity) for p in priced], free
    )

    acting = signed_in(user)
    user_id = cart.user_id or (acting.pk if acting is not None else None)
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

    totals = cart_totals(cart, priced)
    order_id = next_id(Order)
    order = Order(
        id=order_id,
        channel=cart.channel,
        user_id=user_id,
        cart=cart,
        idempotency_key=idempotency_key,
        idempotency_fingerprint=fingerprint,
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
    if order_id is not None:
        order.number = order_number_new(order_id=order_id, day=timezone.localdate(now))
        sql.insert([order])
    else:  # no sequence to ask (SQLite): the number follows the id the insert gives
        sql.insert([order])
        order.number = order_number_new(order_id=order.pk, day=timezone.localdate(now))
        sql.update(order, ["number"])
    # The revenue-share terms in force when the order is placed go with each line.
    versions = hooks().agreement_versions_in_force(
        {p.line.variant.product_id: p.line.variant.product.collection_id for p in priced},
        timezone.localdate(now),
    )
    order_lines = sql.insert(
        [
            OrderLine(
                order=order,
                variant=p.line.variant,
                product=p.line.variant.product,
                channel=cart.channel,
                product_name=pick(p.line.variant.product, "name", cart.language),
                variant_name=pick(p.line.variant, "name", cart.language),
                sku=p.line.variant.sku,
                quantity=p.line.quantity,
                unit_price=p.unit_price,
                line_total=p.line_total,
                personalisation=p.line.personalisation,
                agreement_version_id=versions.get(p.line.variant.product_id),
            )
            for p in priced
        ]
    )
    if cart.voucher is not None:
        _voucher_use(cart.voucher, order, now)
    held = lines_allocate(
        [(line, line.quantity) for line in order_lines],
        channel=cart.channel,
        expires_at=now + timedelta(minutes=settings.SHOP_RESERVATION_MINUTES),
    )
    if not held:
        _stock_short_raise(
            [(line.variant_id, line.sku, line.quantity) for line in order_lines],
            variants_available({line.variant_id for line in order_lines}),
            always=True,
        )
    if unsaved is None:
        cart.status = CartStatus.ORDERED
        sql.update(cart, ["status", "updated_at"])
    placed = order_event(
        order,
        OrderEventType.PLACED,
        to_status=order.status,
        data={"total": str(order.total), "lines": len(order_lines)},
        user=user,
    )
    sql.insert([placed])
    # Everything the answer shows of the new order is here: no need to read it back.
    related_cache_set(order, "lines", order_lines)
    related_cache_set(order, "events", [placed])
    enqueue_on_commit("fulfillment.order_email_send", order.pk, "order_confirmation")
    channel_code = cart.channel.code
    transaction.on_commit(lambda: metrics.order_placed(channel_code))
    return order
