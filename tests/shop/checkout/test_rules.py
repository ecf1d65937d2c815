"""Every rule a cart line must pass, through the API, with the error codes shoppers see."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from catalog.models import PersonalisationCharset, ProductChannelListing, Stock
from shop.carts.models import CartLine
from shop.channels.models import ChannelKind, LivestreamDrop
from shop.channels.services import channel_create
from tests import factories
from tests.factories import order_with_stock
from tests.shop.conftest import cart_url

pytestmark = pytest.mark.django_db


def new_cart(client, shop):
    return client.post(cart_url(shop), format="json").json()["token"]


def add(client, shop, token, quantity=1, personalisation=None, sku=None):
    body = {"sku": sku or shop.variant.sku, "quantity": quantity}
    if personalisation is not None:
        body["personalisation"] = personalisation
    return client.post(cart_url(shop, token, "lines/"), body, format="json")


def test_unknown_sku_is_404(api_client, small_shop):
    response = add(api_client, small_shop, new_cart(api_client, small_shop), sku="NOPE")
    assert response.status_code == 404
    assert response.json()["code"] == "variant_not_found"


@pytest.mark.parametrize("quantity", [0, -1, "x", 1000])
def test_bad_quantity_is_400_and_adds_nothing(api_client, small_shop, quantity):
    response = add(api_client, small_shop, new_cart(api_client, small_shop), quantity=quantity)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "quantity" in response.json()["fields"]
    assert CartLine.objects.count() == 0


def test_not_listed_in_channel(api_client, small_shop):
    ProductChannelListing.objects.filter(product=small_shop.product).delete()
    response = add(api_client, small_shop, new_cart(api_client, small_shop))
    assert response.status_code == 409
    assert response.json()["code"] == "not_available_in_channel"


def test_listing_outside_its_dates(api_client, small_shop):
    ProductChannelListing.objects.filter(product=small_shop.product).update(
        available_from=timezone.now() + timedelta(days=1)
    )
    response = add(api_client, small_shop, new_cart(api_client, small_shop))
    assert response.json()["code"] == "not_available_in_channel"


def test_inactive_product_is_not_available(api_client, small_shop):
    small_shop.product.is_active = False
    small_shop.product.save()
    response = add(api_client, small_shop, new_cart(api_client, small_shop))
    assert response.status_code == 409
    assert response.json()["code"] == "not_available"


def test_sold_out_and_insufficient_stock(api_client, small_shop):
    token = new_cart(api_client, small_shop)
    too_many = add(api_client, small_shop, token, quantity=11)
    assert too_many.status_code == 409
    assert too_many.json()["code"] == "insufficient_stock"
    Stock.objects.filter(pk=small_shop.stock.pk).update(quantity_reserved=10)
    sold_out = add(api_client, small_shop, token, quantity=1)
    assert sold_out.json()["code"] == "sold_out"
    assert CartLine.objects.count() == 0


def test_purchase_limit_counts_earlier_orders(small_shop, user):
    small_shop.product.purchase_limit = 2
    small_shop.product.save()
    order_with_stock(
        channel=small_shop.channel,
        lines=[(small_shop.variant, 1)],
        status="paid",
        email=user.email,
        user=user,
    )
    client = APIClient()
    client.force_authenticate(user)
    token = new_cart(client, small_shop)
    refused = add(client, small_shop, token, quantity=2)
    assert refused.status_code == 409
    assert refused.json()["code"] == "limit_exceeded"
    assert add(client, small_shop, token, quantity=1).status_code == 201


def test_limit_is_checked_again_when_the_order_is_placed(api_client, small_shop):
    """Two carts of one guest each pass the limit alone; only one order can be placed."""
    from tests.shop.conftest import cart_ready

    small_shop.product.purchase_limit = 1
    small_shop.product.save()
    first = cart_ready(api_client, small_shop, email="fan@example.com")
    second = cart_ready(api_client, small_shop, email="fan@example.com")
    ok = api_client.post(cart_url(small_shop, first, "order/"), HTTP_IDEMPOTENCY_KEY="1")
    refused = api_client.post(cart_url(small_shop, second, "order/"), HTTP_IDEMPOTENCY_KEY="2")
    assert ok.status_code == 201
    assert refused.status_code == 409
    assert refused.json()["code"] == "limit_exceeded"


@pytest.fixture
def engravable(small_shop):
    product = small_shop.product
    product.personalisation_enabled = True
    product.personalisation_max_length = 4
    product.personalisation_charset = PersonalisationCharset.HAN
    product.save()
    return small_shop


@pytest.mark.parametrize(
    ("text", "ok"),
    [("王小明", True), ("王小明明明", False), ("Wang", False), ("王1", False), ("", True)],
)
def test_personalisation_length_and_charset(api_client, engravable, text, ok):
    response = add(api_client, engravable, new_cart(api_client, engravable), personalisation=text)
    if ok:
        assert response.status_code == 201
        assert response.json()["lines"][0]["personalisation"] == text
    else:
        assert response.status_code == 400
        assert response.json()["code"] == "personalisation_invalid"
        assert CartLine.objects.count() == 0


def test_personalisation_refused_where_not_accepted(api_client, small_shop):
    response = add(api_client, small_shop, new_cart(api_client, small_shop), personalisation="李")
    assert response.json()["code"] == "personalisation_invalid"


def test_same_variant_with_two_engravings_makes_two_lines(api_client, engravable):
    token = new_cart(api_client, engravable)
    add(api_client, engravable, token, personalisation="王")
    body = add(api_client, engravable, token, personalisation="李").json()
    assert sorted(line["personalisation"] for line in body["lines"]) == ["李", "王"]


def test_drop_variants_sell_only_inside_the_window(api_client, small_shop):
    now = timezone.now()
    drop = LivestreamDrop.objects.create(
        channel=small_shop.channel,
        code="live-1",
        name_zh="直播",
        name_en="Live",
        starts_at=now + timedelta(hours=1),
        ends_at=now + timedelta(hours=2),
    )
    drop.variants.add(small_shop.variant)
    token = new_cart(api_client, small_shop)
    early = add(api_client, small_shop, token)
    assert early.status_code == 409
    assert early.json()["code"] == "drop_not_open"
    LivestreamDrop.objects.filter(pk=drop.pk).update(
        starts_at=now - timedelta(minutes=1), ends_at=now + timedelta(minutes=10)
    )
    assert add(api_client, small_shop, token).status_code == 201


def test_channel_price_override_wins(api_client, small_shop):
    factories.VariantChannelPriceFactory(
        variant=small_shop.variant, channel=small_shop.channel, price=Decimal("99.50")
    )
    body = add(api_client, small_shop, new_cart(api_client, small_shop), quantity=2).json()
    assert body["lines"][0]["unit_price"] == "99.50"
    assert body["totals"]["subtotal"] == "199.00"


def test_channel_key_cannot_act_on_another_channels_cart(api_client, small_shop):
    token = new_cart(api_client, small_shop)
    other = channel_create(
        code="media-app",
        name_zh="App",
        name_en="App",
        kind=ChannelKind.PARTNER_APP,
        owner=small_shop.channel.owner,
    )
    response = api_client.get(f"/api/v1/carts/{token}/", HTTP_X_CHANNEL_KEY=other.key)
    assert response.status_code == 404
    assert response.json()["code"] == "cart_not_found"


def test_cart_needs_a_channel(api_client, small_shop):
    response = api_client.post("/api/v1/carts/", format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "channel_required"


def test_private_channel_needs_its_key(api_client, small_shop):
    issued = channel_create(
        code="media-app",
        name_zh="App",
        name_en="App",
        kind=ChannelKind.PARTNER_APP,
        owner=small_shop.channel.owner,
    )
    by_code = api_client.post("/api/v1/carts/?channel=media-app", format="json")
    assert by_code.status_code == 401
    assert by_code.json()["code"] == "channel_key_required"
    by_key = api_client.post("/api/v1/carts/", format="json", HTTP_X_CHANNEL_KEY=issued.key)
    assert by_key.status_code == 201
    assert by_key.json()["channel"] == "media-app"
    bad_key = api_client.post("/api/v1/carts/", format="json", HTTP_X_CHANNEL_KEY="chk_x_y")
    assert bad_key.status_code == 401
    assert bad_key.json()["code"] == "invalid_channel_key"


def test_signed_in_shoppers_cart_is_not_anyone_elses(small_shop, user):
    mine = APIClient()
    mine.force_authenticate(user)
    token = new_cart(mine, small_shop)
    stranger = APIClient()
    assert stranger.get(cart_url(small_shop, token)).status_code == 404
    assert mine.get(cart_url(small_shop, token)).status_code == 200


def test_line_quantity_change_and_remove(api_client, small_shop):
    token = new_cart(api_client, small_shop)
    line_id = add(api_client, small_shop, token, quantity=1).json()["lines"][0]["id"]
    changed = api_client.patch(
        cart_url(small_shop, token, f"lines/{line_id}/"), {"quantity": 3}, format="json"
    )
    assert changed.json()["lines"][0]["quantity"] == 3
    too_many = api_client.patch(
        cart_url(small_shop, token, f"lines/{line_id}/"), {"quantity": 50}, format="json"
    )
    assert too_many.json()["code"] == "insufficient_stock"
    assert CartLine.objects.get(pk=line_id).quantity == 3
    removed = api_client.delete(cart_url(small_shop, token, f"lines/{line_id}/"))
    assert removed.json()["lines"] == []
    missing = api_client.delete(cart_url(small_shop, token, f"lines/{line_id}/"))
    assert missing.status_code == 404
    assert missing.json()["code"] == "cart_line_not_found"
