"""A cart's lines, added and raised as the checkout's rules allow (removing one needs no
rule: shop/carts/services.py)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from catalog.models import ProductVariant
from shop.carts.errors import CartLineNotFound
from shop.carts.models import Cart, CartLine
from shop.carts.selectors import cart_lines_queryset, cart_lines_set
from shop.carts.services import cart_lock, cart_touch_locking
from shop.checkout.rules import (
    personalisation_check,
    purchase_limit_check,
    stock_enough_check,
    variant_facts,
    variant_facts_raise,
)


def _line_rules_check(cart: Cart, variant: ProductVariant, variant_quantity: int) -> None:
    """Check the variant for ``variant_quantity`` units in total in this cart."""
    facts = variant_facts({variant.pk}, cart.channel, timezone.now())
    variant_facts_raise(variant, facts)
    if variant.product.purchase_limit is not None:
        product_units = (
            cart.lines.filter(variant__product_id=variant.product_id)
            .exclude(variant_id=variant.pk)
            .aggregate(units=Sum("quantity"))["units"]
            or 0
        )
        purchase_limit_check(
            variant.product,
            product_units + variant_quantity,
            user_id=cart.user_id,
            email=cart.email,
        )
    stock_enough_check(facts.get(variant.pk), variant_quantity)


@dataclass(frozen=True)
class LineAdded:
    cart: Cart  # with every line in ``cart.lines.all()``, as stored now
    line: CartLine
    prices: dict[int, Decimal]  # the channel price of each line's variant


@transaction.atomic
def cart_line_add(
    *, cart: Cart, variant: ProductVariant, quantity: int, personalisation: str = ""
) -> LineAdded:
    """Add units of a variant; the same variant with the same text adds to its line.

    ``cart`` is the shopper's cart as just read, with its channel; what the rules read
    of it (channel, user, e-mail) is what it was a moment ago, and placing the order
    checks everything again under lock.
    """
    cart_touch_locking(cart)
    personalisation = personalisation_check(variant.product, personalisation)
    lines = list(cart_lines_queryset().filter(cart=cart))
    facts = variant_facts(
        {variant.pk, *(line.variant_id for line in lines)}, cart.channel, cart.updated_at
    )
    same_variant = [line for line in lines if line.variant_id == variant.pk]
    in_cart = sum(line.quantity for line in same_variant)
    wanted = in_cart + quantity
    variant_facts_raise(variant, facts)
    if variant.product.purchase_limit is not None:
        product_units = sum(
            line.quantity
            for line in lines
            if line.variant.product_id == variant.product_id and line.variant_id != variant.pk
        )
        purchase_limit_check(
            variant.product, product_units + wanted, user_id=cart.user_id, email=cart.email
        )
    stock_enough_check(facts.get(variant.pk), wanted)
    # The cart is locked: no other request adds to it until this one commits.
    line = next((x for x in same_variant if x.personalisation == personalisation), None)
    if line is None:
        line = CartLine.objects.create(
            cart=cart, variant=variant, personalisation=personalisation, quantity=quantity
        )
        lines.append(line)
    else:
        line.quantity += quantity
        line.save(update_fields=["quantity"])
    cart_lines_set(cart, lines)
    return LineAdded(cart=cart, line=line, prices={pk: known.price for pk, known in facts.items()})


@transaction.atomic
def cart_line_quantity_set(*, cart: Cart, line_id: int, quantity: int) -> CartLine | None:
    """Set a line's quantity; zero removes it. Returns None when removed."""
    cart = cart_lock(cart)
    line = cart.lines.select_related("variant__product").filter(pk=line_id).first()
    if line is None:
        raise CartLineNotFound()
    if quantity == 0:
        line.delete()
        return None
    if quantity > line.quantity:
        others = (
            cart.lines.filter(variant=line.variant)
            .exclude(pk=line.pk)
            .aggregate(units=Sum("quantity"))["units"]
            or 0
        )
        _line_rules_check(cart, line.variant, others + quantity)
    line.quantity = quantity
    line.save(update_fields=["quantity"])
    return line
