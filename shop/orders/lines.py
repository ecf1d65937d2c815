"""What an order line stores of what was sold: the one place that decides it."""

from __future__ import annotations

from decimal import Decimal

from catalog.models import ProductVariant
from shop.core.i18n import pick
from shop.orders.models import Order, OrderLine


def order_line_new(
    *,
    order: Order,
    variant: ProductVariant,
    quantity: int,
    unit_price: Decimal,
    language: str,
    personalisation: str = "",
    agreement_version_id: int | None = None,
) -> OrderLine:
    """A line of ``order`` (not saved yet) as sold now: the variant's names in the order's
    language, its SKU, the price and currency it sold at, the channel it sold in and the
    revenue-share agreement in force, so that reports never read today's catalog."""
    return OrderLine(
        order=order,
        variant=variant,
        product=variant.product,
        channel=order.channel,
        product_name=pick(variant.product, "name", language),
        variant_name=pick(variant, "name", language),
        sku=variant.sku,
        quantity=quantity,
        currency=order.currency,
        unit_price=unit_price,
        line_total=unit_price * quantity,
        personalisation=personalisation,
        agreement_version_id=agreement_version_id,
    )
