"""What an order line keeps of what was sold (shop/orders/lines.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shop.orders.lines import order_line_new
from tests.factories import OrderFactory, ProductFactory, ProductVariantFactory

pytestmark = pytest.mark.django_db


def test_a_line_keeps_the_sale_as_it_was():
    order = OrderFactory(language="en")
    variant = ProductVariantFactory(
        product=ProductFactory(name_zh="茶杯", name_en="Tea cup"), name_zh="蓝", name_en="Blue"
    )

    line = order_line_new(
        order=order,
        variant=variant,
        quantity=3,
        unit_price=Decimal("12.50"),
        language=order.language,
        personalisation="王",
        agreement_version_id=None,
    )
    line.save()
    variant.product.name_en = "Renamed"
    variant.product.save(update_fields=["name_en"])
    line.refresh_from_db()

    assert (line.product_name, line.variant_name, line.sku) == ("Tea cup", "Blue", variant.sku)
    assert (line.unit_price, line.line_total, line.currency) == (
        Decimal("12.50"),
        Decimal("37.50"),
        order.currency,
    )
    assert (line.channel_id, line.product_id, line.personalisation) == (
        order.channel_id,
        variant.product_id,
        "王",
    )
    assert line.agreement_version_id is None


def test_a_name_missing_in_the_language_is_kept_in_the_other():
    order = OrderFactory(language="en")
    variant = ProductVariantFactory(product=ProductFactory(name_en=""), name_en="")

    line = order_line_new(
        order=order, variant=variant, quantity=1, unit_price=Decimal("1.00"), language="en"
    )

    assert (line.product_name, line.variant_name) == (variant.product.name_zh, variant.name_zh)
