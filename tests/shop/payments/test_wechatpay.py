"""WeChat Pay API v3 with the real ``wechatpayv3`` library talking HTTP to a local fake
that checks the shop's signatures and signs its answers as WeChat Pay does."""

import base64
import json
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from shop.orders.models import OrderStatus
from shop.payments.errors import PaymentProviderRejected, PaymentProviderUnavailable
from shop.payments.fakes.base import KeyPair
from shop.payments.models import Payment, PaymentStatus
from shop.payments.providers.base import PaymentOptions
from shop.payments.providers.wechatpay import wechatpay_client
from shop.payments.services import payment_start, payment_sync
from tests.factories import SalesChannelFactory, order_with_stock
from tests.shop.conftest import ADDRESS_CN
from tests.shop.payments.helpers import priced_variant

pytestmark = pytest.mark.django_db


def _start(client, order, **body):
    return client.post(
        f"/api/v1/orders/{order.number}/payments/",
        {"provider": "wechatpay", "email": "s@example.com", **body},
        format="json",
    )


def _order(price="128.55", quantity=2):
    return order_with_stock(lines=[(priced_variant(price), quantity)], email="s@example.com")


def test_native_payment_answers_the_qr_code_string_signed_in_fen(api_client, fake_wechatpay):
    order = _order()

    response = _start(api_client, order, scene="native")

    assert response.status_code == 201, response.json()
    payment = Payment.objects.get(order=order)
    [call] = fake_wechatpay.calls("POST", "/v3/pay/transactions/native")
    assert call.signed
    sent = json.loads(call.body)
    assert sent["amount"] == {"total": 25710, "currency": "CNY"}
    assert sent["out_trade_no"] == f"coshop{payment.pk}"
    assert sent["notify_url"].endswith("/payments/wechatpay/notify/")
    action = response.json()["action"]
    assert action["type"] == "qr_code"
    assert action["code_url"].startswith("weixin://wxpay/bizpayurl?pr=")
    assert payment.provider_reference == f"coshop{payment.pk}"


def test_jsapi_payment_answers_prepay_parameters_signed_with_the_merchant_key(
    api_client, fake_wechatpay, wechatpay_keys
):
    order = _order()

    response = _start(api_client, order, scene="jsapi", openid="oUpF8uMuAJO_M2pxb1Q9zNjWeS6o")

    assert response.status_code == 201, response.json()
    params = response.json()["action"]["params"]
    prepay_id = next(iter(fake_wechatpay.trades.values()))["prepay_id"]
    assert params["package"] == f"prepay_id={prepay_id}"
    assert params["appId"] == wechatpay_keys.appid
    message = (
        f"{params['appId']}\n{params['timeStamp']}\n{params['nonceStr']}\n{params['package']}\n"
    )
    wechatpay_keys.merchant.key.public_key().verify(
        base64.b64decode(params["paySign"]), message.encode(), padding.PKCS1v15(), hashes.SHA256()
    )


def test_jsapi_without_openid_is_refused_before_wechat_pay_is_asked(api_client, fake_wechatpay):
    response = _start(api_client, _order(), scene="jsapi")

    assert response.status_code == 502
    assert fake_wechatpay.calls("POST", "/v3/pay/") == []


def test_h5_payment_answers_the_redirect_url(api_client, fake_wechatpay):
    response = _start(api_client, _order(), scene="h5")

    assert response.status_code == 201
    assert response.json()["action"]["type"] == "redirect"
    assert response.json()["action"]["url"].startswith("https://wx.tenpay.com/")
    [call] = fake_wechatpay.calls("POST", "/v3/pay/transactions/h5")
    assert json.loads(call.body)["scene_info"]["h5_info"] == {"type": "Wap"}


def test_h5_payment_gives_wechat_pay_the_shoppers_address_the_trusted_proxy_saw(
    api_client, fake_wechatpay, settings
):
    settings.THROTTLE_TRUSTED_PROXIES = 1
    response = api_client.post(
        f"/api/v1/orders/{_order().number}/payments/",
        {"provider": "wechatpay", "email": "s@example.com", "scene": "h5"},
        format="json",
        HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.7",
        REMOTE_ADDR="10.0.0.2",
    )

    assert response.status_code == 201
    [call] = fake_wechatpay.calls("POST", "/v3/pay/transactions/h5")
    assert json.loads(call.body)["scene_info"]["payer_client_ip"] == "203.0.113.7"


def test_a_paid_trade_read_back_pays_the_order_with_the_fee_rule(fake_wechatpay, settings):
    order = _order(price="100.00", quantity=1)
    payment = payment_start(order=order, provider="wechatpay", options=PaymentOptions("native"))
    fake_wechatpay.pay(payment.provider_reference)

    payment = payment_sync(payment_id=payment.pk)

    order.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.fee == Decimal("0.60")
    assert order.status == OrderStatus.PAID
    assert fake_wechatpay.calls(
        "GET", f"/v3/pay/transactions/out-trade-no/{payment.provider_reference}?mchid="
    )


@pytest.mark.parametrize("trouble", ["server_error", "timeout", "forged"])
def test_an_unknown_outcome_answers_503_and_a_retry_finds_the_same_trade(
    api_client, fake_wechatpay, trouble
):
    order = _order()
    wechatpay_client()  # the platform certificates first: the trouble is for the create
    if trouble == "server_error":
        fake_wechatpay.fail_next(500)
    elif trouble == "timeout":
        fake_wechatpay.slow_next(2)
    else:
        fake_wechatpay.forge_next()  # an answer not signed by the platform

    response = _start(api_client, order, scene="native")

    assert response.status_code == 503
    assert response.json()["code"] == "payment_provider_unavailable"
    payment = Payment.objects.get(order=order)
    assert payment.provider_reference == ""

    retried = _start(api_client, order, scene="native")

    assert retried.status_code == 201
    assert retried.json()["id"] == payment.pk
    # One trade for the payment, whether or not the first create went through.
    assert set(fake_wechatpay.trades) == {f"coshop{payment.pk}"}


def test_a_request_signed_with_another_key_is_refused_by_wechat_pay(fake_wechatpay, settings):
    wechatpay_client()  # the platform certificates are kept in WECHATPAY_CERT_DIR
    settings.WECHATPAY_PRIVATE_KEY = KeyPair.generate().private_pem
    order = _order()

    with pytest.raises(PaymentProviderRejected):
        payment_start(order=order, provider="wechatpay", options=PaymentOptions("native"))

    assert fake_wechatpay.trades == {}
    assert not any(s.signed for s in fake_wechatpay.calls("POST", "/v3/pay/"))


def test_a_channel_that_takes_wechat_pay_gets_it_without_asking(api_client, fake_wechatpay):
    channel = SalesChannelFactory(payment_provider="wechatpay")
    order = order_with_stock(channel=channel, email="s@example.com")

    response = api_client.post(
        f"/api/v1/orders/{order.number}/payments/",
        {"email": "s@example.com", "scene": "native"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["provider"] == "wechatpay"
    assert response.json()["action"]["type"] == "qr_code"


def test_another_scene_replaces_the_pending_payment(api_client, fake_wechatpay):
    order = _order()
    first = _start(api_client, order, scene="native").json()

    second = _start(api_client, order, scene="h5").json()

    assert second["id"] != first["id"]
    assert Payment.objects.get(pk=first["id"]).status == PaymentStatus.CANCELLED
    assert fake_wechatpay.trades[f"coshop{first['id']}"]["trade_state"] == "CLOSED"
    assert _start(api_client, order, scene="h5").json()["id"] == second["id"]


def test_the_platform_public_key_mode_needs_no_certificate(fake_wechatpay, settings):
    fake_wechatpay.public_key_id = "PUB_KEY_ID_0112345678"
    settings.WECHATPAY_PUBLIC_KEY = fake_wechatpay.keys.platform.public_pem
    settings.WECHATPAY_PUBLIC_KEY_ID = "PUB_KEY_ID_0112345678"
    settings.WECHATPAY_CERT_DIR = ""
    order = _order()
    payment = payment_start(order=order, provider="wechatpay", options=PaymentOptions("native"))
    fake_wechatpay.pay(payment.provider_reference)

    assert payment_sync(payment_id=payment.pk).status == PaymentStatus.SUCCEEDED
    assert fake_wechatpay.calls("GET", "/v3/certificates") == []
    # An answer signed by another key is still refused.
    fake_wechatpay.forge_next()
    with pytest.raises(PaymentProviderUnavailable):
        payment_sync(payment_id=payment.pk)


def test_buy_now_in_one_request_starts_a_jsapi_payment_for_the_payers_openid(
    api_client, fake_wechatpay, small_shop
):
    response = api_client.post(
        f"/api/v1/orders/?channel={small_shop.channel.code}",
        {
            "lines": [{"sku": small_shop.variant.sku, "quantity": 1}],
            "email": "s@example.com",
            "shipping_address": ADDRESS_CN,
            "shipping_method": "standard",
            "payment_provider": "wechatpay",
            "payment_scene": "jsapi",
            "payment_openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="buy-jsapi",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["payment"]["action"]["type"] == "jsapi"
    [call] = fake_wechatpay.calls("POST", "/v3/pay/transactions/jsapi")
    assert json.loads(call.body)["payer"] == {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}


def test_a_cart_placed_and_paid_in_one_request_starts_an_h5_payment_for_the_shopper(
    api_client, fake_wechatpay, small_shop, settings
):
    settings.THROTTLE_TRUSTED_PROXIES = 1
    channel = f"?channel={small_shop.channel.code}"
    token = api_client.post(
        f"/api/v1/carts/{channel}",
        {
            "lines": [{"sku": small_shop.variant.sku, "quantity": 1}],
            "email": "s@example.com",
            "shipping_address": ADDRESS_CN,
            "shipping_method": "standard",
        },
        format="json",
    ).json()["token"]

    response = api_client.post(
        f"/api/v1/carts/{token}/order/{channel}",
        {"payment_provider": "wechatpay", "payment_scene": "h5"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="cart-h5",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["payment"]["action"]["type"] == "redirect"
    [call] = fake_wechatpay.calls("POST", "/v3/pay/transactions/h5")
    assert json.loads(call.body)["scene_info"]["payer_client_ip"] == "203.0.113.9"
