from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from shop.checkout.models import Voucher, VoucherKind, VoucherUse
from shop.orders.models import Order
from tests.factories import ShippingMethodFactory, VoucherFactory
from tests.shop.conftest import ADDRESS_CN, cart_ready, cart_url

pytestmark = pytest.mark.django_db


def apply(client, shop, token, code):
    return client.patch(cart_url(shop, token, "checkout/"), {"voucher_code": code}, format="json")


def test_percentage_voucher(api_client, small_shop):
    VoucherFactory(code="TEN", kind=VoucherKind.PERCENTAGE, value=Decimal("10"))
    token = cart_ready(api_client, small_shop, quantity=3)  # 384.00
    totals = apply(api_client, small_shop, token, "ten").json()["totals"]
    assert totals == {
        "currency": "CNY",
        "subtotal": "384.00",
        "shipping": "12.00",
        "discount": "38.40",
        "total": "357.60",
    }


def test_fixed_voucher_never_exceeds_subtotal(api_client, small_shop):
    VoucherFactory(code="BIG", kind=VoucherKind.FIXED, value=Decimal("1000"))
    token = cart_ready(api_client, small_shop, quantity=1)
    totals = apply(api_client, small_shop, token, "BIG").json()["totals"]
    assert totals["discount"] == "128.00"
    assert totals["total"] == "12.00"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"valid_from": timezone.now() + timedelta(days=1)}, "voucher_not_started"),
        ({"valid_until": timezone.now() - timedelta(days=1)}, "voucher_expired"),
        ({"min_spend": Decimal("1000")}, "voucher_min_spend"),
        ({"usage_limit": 1, "times_used": 1}, "voucher_used_up"),
        ({"is_active": False}, "voucher_invalid"),
    ],
)
def test_voucher_rules(api_client, small_shop, changes, code):
    VoucherFactory(code="RULE", **changes)
    token = cart_ready(api_client, small_shop)
    response = apply(api_client, small_shop, token, "RULE")
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert api_client.get(cart_url(small_shop, token)).json()["voucher_code"] is None


def test_voucher_per_customer_limit_counts_orders(api_client, small_shop):
    VoucherFactory(code="ONCE", usage_limit_per_customer=1)
    first = cart_ready(api_client, small_shop, email="fan@example.com")
    apply(api_client, small_shop, first, "ONCE")
    placed = api_client.post(cart_url(small_shop, first, "order/"), HTTP_IDEMPOTENCY_KEY="1")
    assert placed.json()["voucher_code"] == "ONCE"
    assert Voucher.objects.get(code="ONCE").times_used == 1
    second = cart_ready(api_client, small_shop, email="fan@example.com")
    response = apply(api_client, small_shop, second, "ONCE")
    assert response.json()["code"] == "voucher_customer_limit"


def test_voucher_use_comes_back_when_the_order_is_cancelled(api_client, small_shop):
    VoucherFactory(code="ONE", usage_limit=1)
    token = cart_ready(api_client, small_shop, email="fan@example.com")
    apply(api_client, small_shop, token, "ONE")
    number = api_client.post(
        cart_url(small_shop, token, "order/"), HTTP_IDEMPOTENCY_KEY="1"
    ).json()["number"]
    assert Voucher.objects.get(code="ONE").times_used == 1
    api_client.post(f"/api/v1/orders/{number}/cancel/", {"email": "fan@example.com"})
    assert Voucher.objects.get(code="ONE").times_used == 0
    assert VoucherUse.objects.count() == 0


def test_voucher_used_up_between_apply_and_order(api_client, small_shop):
    VoucherFactory(code="LAST", usage_limit=1)
    token = cart_ready(api_client, small_shop)
    apply(api_client, small_shop, token, "LAST")
    Voucher.objects.filter(code="LAST").update(times_used=1)
    response = api_client.post(cart_url(small_shop, token, "order/"), HTTP_IDEMPOTENCY_KEY="1")
    assert response.status_code == 400
    assert response.json()["code"] == "voucher_used_up"
    assert Order.objects.count() == 0


@pytest.mark.parametrize(
    ("address", "field"),
    [
        ({**ADDRESS_CN, "postcode": "1000"}, "postcode"),
        ({**ADDRESS_CN, "district": ""}, "district"),
        ({**ADDRESS_CN, "phone": "call me"}, "phone"),
        ({"name": "Ann", "phone": "+44 20 7946 0000", "country": "GB", "city": "London"}, "line1"),
        ({**ADDRESS_CN, "country": "C1"}, "country"),
    ],
)
def test_bad_addresses_name_the_field(api_client, small_shop, address, field):
    token = cart_ready(api_client, small_shop)
    response = api_client.patch(
        cart_url(small_shop, token, "checkout/"), {"shipping_address": address}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["fields"]["shipping_address"][0] or field in str(
        response.json()["fields"]
    )
    assert api_client.get(cart_url(small_shop, token)).json()["shipping_address"] == ADDRESS_CN


def test_international_address_and_regional_shipping(api_client, small_shop):
    ShippingMethodFactory(code="intl", countries=["GB", "FR"], price=Decimal("150.00"))
    token = cart_ready(api_client, small_shop)
    uk = {
        "name": "Ann Lee",
        "phone": "+44 20 7946 0000",
        "country": "gb",
        "line1": "1 Museum Street",
        "city": "London",
        "postcode": "WC1A 1JR",
    }
    response = api_client.patch(
        cart_url(small_shop, token, "checkout/"),
        {"shipping_address": uk, "shipping_method": "intl"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["shipping_address"]["country"] == "GB"
    assert response.json()["totals"]["shipping"] == "150.00"
    methods = api_client.get(cart_url(small_shop, token, "shipping-methods/")).json()
    assert [m["code"] for m in methods] == ["intl"]


def test_shipping_method_that_does_not_serve_the_province(api_client, small_shop):
    ShippingMethodFactory(code="shanghai-only", provinces=["上海市"])
    token = cart_ready(api_client, small_shop)
    response = api_client.patch(
        cart_url(small_shop, token, "checkout/"), {"shipping_method": "shanghai-only"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "shipping_method_unavailable"
