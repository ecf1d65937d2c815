"""A cart's lines priced in its channel, and its totals."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shop.carts.models import Cart, CartLine
from shop.carts.selectors import cart_lines_load
from shop.checkout.pricing import Totals, totals_compute, variant_prices


@dataclass(frozen=True)
class PricedLine:
    line: CartLine
    unit_price: Any
    line_total: Any


def cart_priced_lines(cart: Cart, *, prices: Mapping[int, Any] | None = None) -> list[PricedLine]:
    """The cart's lines with their prices, oldest first. Uses the lines already fetched
    with the cart (``cart.lines.all()`` prefetched with their variants and products) when
    there are, else reads them with their prices; and the prices known already
    (``prices``, the channel price by variant id, as the cart was read or as
    ``variant_facts`` gives them) when they name every line's variant; otherwise the
    channel prices of all lines come in one query."""
    prefetched = getattr(cart, "_prefetched_objects_cache", {}).get("lines")
    if prefetched is None:
        read = cart_lines_load(cart)
        lines = list(cart.lines.all())
        prices = read.prices if prices is None else {**read.prices, **prices}
    else:
        lines = list(prefetched)
    if prices is None or any(line.variant_id not in prices for line in lines):
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
