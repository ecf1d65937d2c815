"""A cart with its lines and checkout details made in one step, as a storefront's "buy
now" asks for it: every line and detail checked as adding the lines and saving the
details one after another would check them, nothing stored unless all of it passes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import ProductVariant
from shop.carts.models import Cart, CartLine
from shop.carts.selectors import cart_lines_set
from shop.channels.models import SalesChannel
from shop.checkout.details import CheckoutDetails, details_apply
from shop.checkout.errors import VariantNotFound
from shop.checkout.rules import (
    VariantFacts,
    personalisation_check,
    purchase_limit_check,
    stock_enough_check,
    variant_facts_raise,
    variants_with_facts,
)
from shop.core.errors import InvalidInput, ShopError
from shop.core.kept_inserts import kept_insert
from shop.core.permissions import signed_in

MAX_LINES = 50


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


def _line_rule_raise(sku: str, check: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run one rule for the line of ``sku``; its error names the line."""
    try:
        return check(*args, **kwargs)
    except ShopError as exc:
        exc.fields = {"lines": [sku], **exc.fields}
        raise


def checkout_create(
    *,
    channel: SalesChannel,
    user: Any = None,
    language: str = "zh",
    lines: Sequence[LineWanted] = (),
    details: CheckoutDetails | None = None,
) -> CartCreated:
    """A new cart with its lines and checkout details, checked as ``checkout_build``
    checks them, then stored. Lines of the same variant and text become one line."""
    built = checkout_build(
        channel=channel, user=user, language=language, lines=lines, details=details
    )
    with transaction.atomic():
        cart_store(built)
    return built


def cart_store(built: CartCreated) -> None:
    """Insert the built cart and its lines (again with the ids of the first time, when a
    transaction that stored them is run again)."""
    kept_insert(Cart).insert([built.cart])
    for line in built.unsaved_lines:
        line.cart = built.cart  # its id, now that it has one
    cart_lines_set(built.cart, kept_insert(CartLine).insert(built.unsaved_lines))


Units = dict[tuple[str, str], int]  # by (sku, personalisation text)


def _units_wanted(lines: Sequence[LineWanted], variants: dict[str, ProductVariant]) -> Units:
    """The units asked for by variant and text, each text checked for its product."""
    units: Units = {}
    for line in lines:
        variant = variants[line.sku]
        text = _line_rule_raise(
            line.sku, personalisation_check, variant.product, line.personalisation
        )
        units[(line.sku, text)] = units.get((line.sku, text), 0) + line.quantity
    return units


def _units_check(
    units: Units, variants: dict[str, ProductVariant], facts: dict[int, VariantFacts], cart: Cart
) -> None:
    """Each variant on sale with enough free units; each product within its limit."""
    by_variant: dict[str, int] = {}
    by_product: dict[int, tuple[str, int]] = {}
    for (sku, _text), quantity in units.items():
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


def checkout_build(
    *,
    channel: SalesChannel,
    user: Any = None,
    language: str = "zh",
    lines: Sequence[LineWanted] = (),
    details: CheckoutDetails | None = None,
) -> CartCreated:
    """The cart ``checkout_create`` stores, checked but not stored: its lines are in
    ``unsaved_lines``."""
    details = details or CheckoutDetails()
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
    if details.email is not None:
        cart.email = details.email.lower()  # the purchase limits count this customer's orders
    units = _units_wanted(lines, variants)
    _units_check(units, variants, facts, cart)
    prices = {variant.pk: facts[variant.pk].price for variant in variants.values()}
    subtotal = sum(
        (prices[variants[sku].pk] * quantity for (sku, _), quantity in units.items()),
        Decimal("0.00"),
    )
    details_apply(cart, details, subtotal=subtotal)
    unsaved = [
        CartLine(cart=cart, variant=variants[sku], quantity=quantity, personalisation=text)
        for (sku, text), quantity in units.items()
    ]
    return CartCreated(cart=cart, prices=prices, facts=facts, unsaved_lines=unsaved)
