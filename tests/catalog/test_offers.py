"""The product list, the product page and the cart agree, for any catalog, on what is on
sale in a channel, at what price and with how many free units (catalog.offers).

Each example builds a random catalog (listings published or not, windows open, closed or
still to come, channel prices, stock in open and closed warehouses, units reserved) and
checks it through the HTTP API as a shopper meets it, against the rules written out plainly
here, and against :func:`catalog.offers.offers_get`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog.offers import offers_get
from catalog.selectors import availability_level
from tests import factories

pytestmark = pytest.mark.django_db

# Days from now a window opens or closes; none means unset. Whole days keep every
# moment far from a window's edge while the example runs.
_DAYS = st.one_of(st.none(), st.sampled_from([-3, -1, 1, 3]))
_PRICES = st.sampled_from([Decimal("9.90"), Decimal("58.00"), Decimal("128.00")])
# (on hand, reserved, low-stock threshold) or no row, in each of the three warehouses.
_STOCK_ROW = st.one_of(
    st.none(),
    st.tuples(st.integers(0, 4), st.integers(0, 4), st.integers(0, 2)).map(
        lambda row: (row[0], min(row[0], row[1]), row[2])
    ),
)


@dataclass(frozen=True)
class VariantSpec:
    active: bool
    price: Decimal
    channel_price: Decimal | None
    stock: tuple  # one row or None per warehouse: open, open, closed


@dataclass(frozen=True)
class ProductSpec:
    active: bool
    listing: tuple | None  # (published, opens in days, closes in days)
    variants: tuple[VariantSpec, ...]


_VARIANT = st.builds(
    VariantSpec,
    active=st.booleans(),
    price=_PRICES,
    channel_price=st.one_of(st.none(), _PRICES),
    stock=st.tuples(_STOCK_ROW, _STOCK_ROW, _STOCK_ROW),
)


def _ordered(listing: tuple) -> tuple:
    """A window that closes before it opens is refused by the database: close it a day
    after it opens instead."""
    published, opens, closes = listing
    if opens is not None and closes is not None and closes <= opens:
        closes = opens + 1
    return (published, opens, closes)


_LISTING = st.one_of(st.none(), st.tuples(st.booleans(), _DAYS, _DAYS).map(_ordered))
_PRODUCT = st.builds(
    ProductSpec,
    active=st.booleans(),
    listing=_LISTING,
    variants=st.lists(_VARIANT, min_size=1, max_size=2).map(tuple),
)
_OPEN_WAREHOUSES = (True, True, False)


def _published(listing: tuple | None) -> bool:
    if listing is None:
        return False
    published, opens, closes = listing
    return published and (opens is None or opens < 0) and (closes is None or closes > 0)


def _window(listing: tuple) -> dict:
    now = timezone.now()
    _published_flag, opens, closes = listing
    return {
        "available_from": None if opens is None else now + timedelta(days=opens),
        "available_until": None if closes is None else now + timedelta(days=closes),
    }


@dataclass(frozen=True)
class Expected:
    """A variant as the rules say a shopper meets it."""

    on_sale: bool
    price: Decimal
    free: int
    thresholds: int


def _expected(product: ProductSpec, variant: VariantSpec) -> Expected:
    rows = [
        row for row, open_ in zip(variant.stock, _OPEN_WAREHOUSES, strict=True) if open_ and row
    ]
    return Expected(
        on_sale=product.active and variant.active and _published(product.listing),
        price=variant.channel_price if variant.channel_price is not None else variant.price,
        free=sum(on_hand - reserved for on_hand, reserved, _ in rows),
        thresholds=sum(threshold for _, _, threshold in rows),
    )


def _build(channel, warehouses, spec: ProductSpec):
    product = factories.ProductFactory(is_active=spec.active, purchase_limit=None)
    if spec.listing is not None:
        factories.ProductChannelListingFactory(
            product=product, channel=channel, is_published=spec.listing[0], **_window(spec.listing)
        )
    variants = []
    for variant_spec in spec.variants:
        variant = factories.ProductVariantFactory(
            product=product, is_active=variant_spec.active, price=variant_spec.price
        )
        if variant_spec.channel_price is not None:
            factories.VariantChannelPriceFactory(
                variant=variant, channel=channel, price=variant_spec.channel_price
            )
        for warehouse, row in zip(warehouses, variant_spec.stock, strict=True):
            if row is not None:
                on_hand, reserved, threshold = row
                factories.StockFactory(
                    variant=variant,
                    warehouse=warehouse,
                    quantity=on_hand,
                    quantity_reserved=reserved,
                    low_stock_threshold=threshold,
                )
        variants.append((variant, _expected(spec, variant_spec)))
    return product, variants


def _list_check(client, channel, built) -> None:
    listed = client.get(f"/api/v1/products/?channel={channel.code}").json()["results"]
    shown = {item["slug"]: item for item in listed}
    for product, variants in built:
        on_sale = [expected for _, expected in variants if expected.on_sale]
        if not on_sale:
            assert product.slug not in shown
            continue
        item = shown[product.slug]
        assert Decimal(item["price_from"]) == min(expected.price for expected in on_sale)
        free = sum(expected.free for expected in on_sale)
        thresholds = sum(expected.thresholds for expected in on_sale)
        assert item["availability"] == availability_level(free, thresholds)
    assert len(shown) == sum(any(e.on_sale for _, e in variants) for _, variants in built)


def _detail_check(client, channel, product, variants) -> None:
    response = client.get(f"/api/v1/products/{product.slug}/?channel={channel.code}")
    on_sale = [(variant, expected) for variant, expected in variants if expected.on_sale]
    if not on_sale:
        assert response.status_code == 404
        return
    shown = {row["sku"]: row for row in response.json()["variants"]}
    assert set(shown) == {variant.sku for variant, _ in on_sale}
    for variant, expected in on_sale:
        assert Decimal(shown[variant.sku]["price"]) == expected.price
        level = availability_level(expected.free, expected.thresholds)
        assert shown[variant.sku]["availability"] == level


def _cart_check(client, channel, variant, expected) -> None:
    base = f"/api/v1/carts/?channel={channel.code}"
    token = client.post(base, format="json").json()["token"]
    lines = f"/api/v1/carts/{token}/lines/?channel={channel.code}"
    if not expected.on_sale:
        refused = client.post(lines, {"sku": variant.sku, "quantity": 1}, format="json")
        assert refused.status_code == 409
        assert refused.json()["code"] in {"not_available", "not_available_in_channel"}
        return
    if expected.free:
        added = client.post(lines, {"sku": variant.sku, "quantity": expected.free}, format="json")
        assert added.status_code == 201, added.json()
        cart = client.get(f"/api/v1/carts/{token}/?channel={channel.code}").json()
        assert [Decimal(line["unit_price"]) for line in cart["lines"]] == [expected.price]
    beyond = client.post(lines, {"sku": variant.sku, "quantity": 1}, format="json")
    assert beyond.status_code == 409
    assert beyond.json()["code"] == ("insufficient_stock" if expected.free else "sold_out")


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(catalog=st.lists(_PRODUCT, min_size=1, max_size=3))
def test_the_list_the_page_and_the_cart_agree_on_every_offer(api_client, catalog):
    with transaction.atomic():
        channel = factories.SalesChannelFactory()
        warehouses = [factories.WarehouseFactory(is_active=open_) for open_ in _OPEN_WAREHOUSES]
        built = [_build(channel, warehouses, spec) for spec in catalog]
        every = [pair for _, variants in built for pair in variants]
        offers = offers_get(
            [variant.pk for variant, _ in every], channel_id=channel.pk, now=timezone.now()
        )
        for variant, expected in every:
            offer = offers[variant.pk]
            assert (offer.on_sale, offer.price, offer.free_units) == (
                expected.on_sale,
                expected.price,
                expected.free,
            )
        _list_check(api_client, channel, built)
        for product, variants in built:
            _detail_check(api_client, channel, product, variants)
        for variant, expected in every:
            _cart_check(api_client, channel, variant, expected)
        transaction.set_rollback(True)  # the next example starts from an empty catalog
