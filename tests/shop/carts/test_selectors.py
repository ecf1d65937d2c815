"""Reading a cart for its shopper (shop/carts/selectors.py): its lines, oldest first,
and the price of each line's variant in the cart's channel, as catalog.offers says."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shop.carts.errors import CartNotFound
from shop.carts.selectors import CartRead, cart_get
from tests.factories import (
    CartFactory,
    CartLineFactory,
    ProductVariantFactory,
    SalesChannelFactory,
    VariantChannelPriceFactory,
)

pytestmark = pytest.mark.django_db


def test_a_cart_is_read_with_its_lines_and_their_prices_in_its_channel():
    cart = CartFactory()
    own = ProductVariantFactory(price=Decimal("99.00"))
    listed = ProductVariantFactory(price=Decimal("45.00"))
    VariantChannelPriceFactory(variant=own, channel=cart.channel, price=Decimal("79.00"))
    VariantChannelPriceFactory(variant=listed, price=Decimal("1.00"))  # another channel's
    first = CartLineFactory(cart=cart, variant=own, quantity=2)
    second = CartLineFactory(cart=cart, variant=listed)

    read = cart_get(token=cart.token, channel=cart.channel, user=None)

    assert isinstance(read, CartRead)
    assert [line.pk for line in read.cart.lines.all()] == [first.pk, second.pk]
    assert read.prices == {own.pk: Decimal("79.00"), listed.pk: Decimal("45.00")}


def test_a_cart_read_without_lines_has_no_prices():
    cart = CartFactory()
    CartLineFactory(cart=cart)

    read = cart_get(token=cart.token, channel=cart.channel, user=None, with_lines=False)

    assert (read.cart.pk, read.prices) == (cart.pk, {})


def test_a_cart_of_another_channel_is_not_found():
    cart = CartFactory()

    with pytest.raises(CartNotFound):
        cart_get(token=cart.token, channel=SalesChannelFactory(), user=None)
