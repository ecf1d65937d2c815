"""Prices and totals, always computed by the server. Pure functions over Decimal yuan."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from catalog.models import ProductVariant
from catalog.offers import prices_get
from shop.checkout.models import ShippingMethod, Voucher, VoucherKind
from shop.core.money import ZERO, quantize


def variant_prices(variants: Iterable[ProductVariant], channel_id: int) -> dict[int, Decimal]:
    """Each variant's price in the channel by variant id, in one query."""
    return prices_get([variant.pk for variant in variants], channel_id=channel_id)


def shipping_price(method: ShippingMethod | None, subtotal: Decimal) -> Decimal:
    if method is None:
        return ZERO
    if method.free_above is not None and subtotal >= method.free_above:
        return ZERO
    return quantize(method.price)


def voucher_discount(voucher: Voucher | None, subtotal: Decimal) -> Decimal:
    """Discount on the subtotal: a percentage rounded half up to the fen, or a fixed amount;
    never more than the subtotal."""
    if voucher is None or subtotal <= 0:
        return ZERO
    if voucher.kind == VoucherKind.PERCENTAGE:
        discount = quantize(subtotal * voucher.value / Decimal(100))
    else:
        discount = quantize(voucher.value)
    return min(discount, subtotal)


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    shipping: Decimal
    discount: Decimal
    total: Decimal


def totals_compute(
    line_totals: Iterable[Decimal],
    method: ShippingMethod | None,
    voucher: Voucher | None,
) -> Totals:
    subtotal = quantize(sum(line_totals, ZERO))
    shipping = shipping_price(method, subtotal)
    discount = voucher_discount(voucher, subtotal)
    return Totals(
        subtotal=subtotal,
        shipping=shipping,
        discount=discount,
        total=subtotal + shipping - discount,
    )
