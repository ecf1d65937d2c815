"""A small shop: one public channel, one product with stock, one shipping method."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from catalog.models import Stock
from shop.channels.models import SalesChannel
from shop.checkout.models import ShippingMethod
from tests import factories
from tests.factories import ADDRESS, ShippingMethodFactory, stock_with_units

ADDRESS_CN = ADDRESS  # the name the shop's tests know it by


@dataclass
class SmallShop:
    channel: SalesChannel
    stock: Stock
    shipping: ShippingMethod

    @property
    def variant(self):
        return self.stock.variant

    @property
    def product(self):
        return self.stock.variant.product


@pytest.fixture
def small_shop(db) -> SmallShop:
    museum = factories.PartnerFactory(code="museum")
    channel = factories.SalesChannelFactory(code="museum-web", owner=museum, is_public=True)
    variant = factories.ProductVariantFactory(price=Decimal("128.00"))
    factories.ProductChannelListingFactory(product=variant.product, channel=channel)
    warehouse = factories.WarehouseFactory(partner=museum)
    stock = stock_with_units(variant=variant, warehouse=warehouse, quantity=10)
    shipping = ShippingMethodFactory(code="standard", price=Decimal("12.00"), free_above=None)
    return SmallShop(channel=channel, stock=stock, shipping=shipping)


def cart_url(shop: SmallShop, token: str = "", suffix: str = "") -> str:
    base = f"/api/v1/carts/{token}/" if token else "/api/v1/carts/"
    return f"{base}{suffix}?channel={shop.channel.code}"


def cart_ready(client, shop: SmallShop, quantity: int = 1, email: str = "buyer@example.com"):
    """A cart with one line and all checkout details; returns its token."""
    token = client.post(cart_url(shop), format="json").json()["token"]
    response = client.post(
        cart_url(shop, token, "lines/"),
        {"sku": shop.variant.sku, "quantity": quantity},
        format="json",
    )
    assert response.status_code == 201, response.json()
    response = client.patch(
        cart_url(shop, token, "checkout/"),
        {"email": email, "shipping_address": ADDRESS_CN, "shipping_method": "standard"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    return token
