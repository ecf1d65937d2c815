"""The daily reconciliation downloads each provider's bill from the local fakes (signed
answers, the bill's own format) and lists where it and the shop disagree."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from shop.payments.errors import PaymentProviderUnavailable
from shop.payments.models import BillMismatch, BillMismatchKind, BillStatement
from shop.payments.providers.base import PaymentOptions
from shop.payments.reconciliation import bill_reconcile, bills_reconcile_yesterday
from shop.payments.services import payment_start, payment_sync
from tests.conftest import client_for
from tests.factories import SuperuserFactory, order_with_stock
from tests.shop.payments.helpers import priced_variant

pytestmark = pytest.mark.django_db
TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date


def _paid(provider, fake, price="99.00"):
    order = order_with_stock(lines=[(priced_variant(price), 1)])
    scene = "native" if provider == "wechatpay" else "page"
    payment = payment_start(order=order, provider=provider, options=PaymentOptions(scene))
    if provider == "alipay":
        fake.visit(payment.action["url"])
    fake.pay(payment.provider_reference)
    return order, payment_sync(payment_id=payment.pk)


def _refund(order, amount):
    return client_for(SuperuserFactory()).post(
        f"/api/v1/staff/orders/{order.number}/refunds/",
        {"amount": amount, "reason": "damaged"},
        format="json",
    )


def _mismatches():
    return sorted((m.kind, m.reference) for m in BillMismatch.objects.all())


def test_a_wechat_pay_day_that_matches_lists_nothing(fake_wechatpay):
    fake_wechatpay.refund_status = "SUCCESS"
    order, _payment = _paid("wechatpay", fake_wechatpay)
    _paid("wechatpay", fake_wechatpay, price="50.00")
    assert _refund(order, "40.00").json()["status"] == "succeeded"

    statement = bill_reconcile(provider="wechatpay", day=TODAY())

    assert (statement.rows, statement.matched, statement.mismatched) == (3, 3, 0)
    assert fake_wechatpay.calls("GET", f"/v3/bill/tradebill?bill_date={TODAY().isoformat()}")


def test_wechat_pay_mismatches_are_listed_once_per_run(fake_wechatpay):
    _, payment = _paid("wechatpay", fake_wechatpay)
    _, late = _paid("wechatpay", fake_wechatpay)
    fake_wechatpay.trades[late.provider_reference]["success_time"] = "2020-01-01T00:00:00+08:00"
    # A trade the shop never made (paid at the provider by another system).
    fake_wechatpay.trades["other1"] = {
        **fake_wechatpay.trades[payment.provider_reference],
        "out_trade_no": "other1",
        "amount": {"total": 500, "currency": "CNY"},
    }
    fake_wechatpay.fee_rate = Decimal("0.01")  # the provider kept more than our rule says

    for _ in range(2):
        statement = bill_reconcile(provider="wechatpay", day=TODAY())

    assert _mismatches() == sorted(
        [
            (BillMismatchKind.FEE, payment.provider_reference),
            (BillMismatchKind.NOT_IN_BILL, late.provider_reference),
            (BillMismatchKind.NOT_IN_SHOP, "other1"),
        ]
    )
    fee = BillMismatch.objects.get(kind=BillMismatchKind.FEE)
    assert (fee.shop_amount, fee.bill_amount) == (Decimal("0.59"), Decimal("0.99"))
    assert fee.channel_id == payment.order.channel_id
    assert statement.mismatched == 3


def test_an_alipay_day_is_matched_from_its_zipped_gbk_bill(fake_alipay):
    order, _payment = _paid("alipay", fake_alipay)
    _, other = _paid("alipay", fake_alipay, price="10.00")
    fake_alipay.trades[other.provider_reference]["total_amount"] = "12.00"  # not what we hold
    assert _refund(order, "99.00").json()["status"] == "succeeded"

    statement = bill_reconcile(provider="alipay", day=TODAY())

    assert (statement.rows, statement.matched) == (3, 2)
    [mismatch] = BillMismatch.objects.all()
    assert (mismatch.kind, mismatch.reference) == (
        BillMismatchKind.AMOUNT,
        other.provider_reference,
    )
    assert (mismatch.shop_amount, mismatch.bill_amount) == (Decimal("10.00"), Decimal("12.00"))


@pytest.mark.parametrize("trouble", ["server_error", "forged"])
def test_a_bill_that_cannot_be_had_writes_nothing(fake_wechatpay, trouble):
    _paid("wechatpay", fake_wechatpay)
    if trouble == "server_error":
        fake_wechatpay.fail_next(500)
    else:
        fake_wechatpay.forge_next()

    with pytest.raises(PaymentProviderUnavailable):
        bill_reconcile(provider="wechatpay", day=TODAY())

    assert BillStatement.objects.count() == 0


def test_the_daily_task_reconciles_yesterday_of_each_enabled_provider(fake_wechatpay, fake_alipay):
    fake_alipay.fail_next(500)

    found = bills_reconcile_yesterday()

    assert found["wechatpay"] == 0
    assert found["alipay"] == -1
    assert BillStatement.objects.get().provider == "wechatpay"


def test_staff_see_the_mismatches_in_chinese_in_the_admin(client, fake_wechatpay):
    _paid("wechatpay", fake_wechatpay)
    fake_wechatpay.fee_rate = Decimal("0.02")
    bill_reconcile(provider="wechatpay", day=TODAY())
    client.force_login(SuperuserFactory())

    page = client.get("/admin/payments/billmismatch/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert page.status_code == 200
    text = page.content.decode()
    assert "对账差异" in text and "手续费不符" in text
