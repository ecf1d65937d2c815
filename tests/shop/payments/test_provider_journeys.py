"""Storefronts on a WeChat Pay channel and an Alipay channel take payments end to end
over HTTP: the shop runs as a live server, the providers are the development fakes
(``run_payment_fakes``), which notify the shop over HTTP as the real ones do; refunds
settle the same way and the day's bills match."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import requests

from shop.orders.models import Order, OrderStatus
from shop.payments.management.commands.run_payment_fakes import fakes_start
from shop.payments.models import Payment, PaymentStatus, Refund, RefundStatus
from shop.payments.reconciliation import bill_reconcile
from tests.conftest import client_for
from tests.factories import SalesChannelFactory, SuperuserFactory, order_with_stock
from tests.shop.payments.helpers import priced_variant

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fakes(settings, live_server, tmp_path):
    started = fakes_start(tmp_path, 0, 0)
    for name, value in started["settings"].items():
        setattr(settings, name, value)
    settings.WECHATPAY_NOTIFY_URL = f"{live_server.url}/api/v1/payments/wechatpay/notify/"
    settings.ALIPAY_NOTIFY_URL = f"{live_server.url}/api/v1/payments/alipay/notify/"
    yield started
    started["wechatpay"].stop()
    started["alipay"].stop()


def _order(channel):
    return order_with_stock(
        channel=channel, lines=[(priced_variant("88.00"), 1)], email="s@example.com"
    )


def _pay_start(live_server, order, **body):
    response = requests.post(
        f"{live_server.url}/api/v1/orders/{order.number}/payments/",
        json={"email": "s@example.com", **body},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return response.json()


def _button(fake, action, reference):
    response = requests.post(f"{fake.url}/_fake/{action}/{reference}", timeout=30)
    return response.json()["notified"]


def _refund(order, amount):
    return client_for(SuperuserFactory()).post(
        f"/api/v1/staff/orders/{order.number}/refunds/",
        {"amount": amount, "reason": "changed mind"},
        format="json",
    )


def test_wechat_pay_jsapi_and_native_and_alipay_page_end_to_end(live_server, fakes):
    wechat = SalesChannelFactory(code="news-app", payment_provider="wechatpay")
    web = SalesChannelFactory(code="museum-web", payment_provider="alipay")
    wechatpay, alipay = fakes["wechatpay"], fakes["alipay"]

    in_app = _order(wechat)
    jsapi = _pay_start(live_server, in_app, scene="jsapi", openid="oNewsReader1")
    assert (jsapi["provider"], jsapi["action"]["type"]) == ("wechatpay", "jsapi")
    desktop = _order(wechat)
    native = _pay_start(live_server, desktop, scene="native")
    assert native["action"]["code_url"].startswith("weixin://")
    browser = _order(web)
    page = _pay_start(live_server, browser)
    assert (page["provider"], page["action"]["type"]) == ("alipay", "redirect")
    assert requests.get(page["action"]["url"], timeout=30).status_code == 200  # the cashier

    for fake, body in [(wechatpay, jsapi), (wechatpay, native), (alipay, page)]:
        reference = Payment.objects.get(pk=body["id"]).provider_reference
        assert _button(fake, "pay", reference) in (200, 204)
        assert _button(fake, "pay", reference) in (200, 204)  # told twice: paid once

    for order in (in_app, desktop, browser):
        order.refresh_from_db()
        assert order.status not in (OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED)
        assert order.payments.filter(status=PaymentStatus.SUCCEEDED).count() == 1

    # Refunds: WeChat Pay settles later and tells the shop; Alipay pays out at once.
    assert _refund(in_app, "88.00").json()["status"] == "pending"
    refund = Refund.objects.get(order=in_app)
    assert _button(wechatpay, "refund", refund.provider_reference) == 204
    assert _refund(browser, "30.00").json()["status"] == "succeeded"
    refund.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED
    assert Order.objects.get(pk=in_app.pk).status == OrderStatus.REFUNDED

    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    for provider, rows in [("wechatpay", 3), ("alipay", 2)]:
        statement = bill_reconcile(provider=provider, day=today)
        assert (statement.rows, statement.mismatched) == (rows, 0)
        # The fees billed, less those the refunds gave back, are the shop's.
        assert statement.bill_fees == statement.shop_fees > 0
