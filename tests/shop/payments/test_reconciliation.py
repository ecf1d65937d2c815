"""The daily reconciliation downloads each provider's bill from the local fakes (signed
answers, the bill's own format) and lists where it and the shop disagree."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from shop.payments.bill_reading import wechatpay_bill
from shop.payments.errors import PaymentProviderUnavailable
from shop.payments.models import BillLine, BillMismatch, BillMismatchKind, BillStatement
from shop.payments.providers.base import PaymentOptions
from shop.payments.reconciliation import (
    bill_reconcile,
    bill_statement_write,
    bills_reconcile_yesterday,
)
from shop.payments.services import payment_start, payment_sync
from tests.conftest import client_for
from tests.factories import SuperuserFactory, order_with_stock
from tests.shop.payments.helpers import priced_variant

pytestmark = pytest.mark.django_db


def _today():
    """China's date now, read at each call: a date taken when the module was collected
    goes stale when the suite runs across midnight in China (16:00 UTC)."""
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


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

    statement = bill_reconcile(provider="wechatpay", day=_today())

    assert (statement.rows, statement.matched, statement.mismatched) == (3, 3, 0)
    assert fake_wechatpay.calls("GET", f"/v3/bill/tradebill?bill_date={_today().isoformat()}")


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
        statement = bill_reconcile(provider="wechatpay", day=_today())
        tomorrow = bill_reconcile(provider="wechatpay", day=_today() + timedelta(days=1))
        statement.refresh_from_db()

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
    assert (statement.mismatched, statement.pending, tomorrow.rows) == (3, 0, 0)
    assert BillLine.objects.filter(statement=statement).count() == 2


def test_an_alipay_day_is_matched_from_its_zipped_gbk_bill(fake_alipay):
    order, _payment = _paid("alipay", fake_alipay)
    _, other = _paid("alipay", fake_alipay, price="10.00")
    fake_alipay.trades[other.provider_reference]["total_amount"] = "12.00"  # not what we hold
    assert _refund(order, "99.00").json()["status"] == "succeeded"

    statement = bill_reconcile(provider="alipay", day=_today())

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
        bill_reconcile(provider="wechatpay", day=_today())

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
    bill_reconcile(provider="wechatpay", day=_today())
    client.force_login(SuperuserFactory())

    page = client.get("/admin/payments/billmismatch/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert page.status_code == 200
    text = page.content.decode()
    assert "对账差异" in text and "手续费不符" in text


def _tomorrow() -> str:
    return (_today() + timedelta(days=1)).isoformat()


def test_a_payment_billed_the_next_day_is_pending_then_found(fake_wechatpay):
    _, late = _paid("wechatpay", fake_wechatpay)
    # Paid at 23:59:59 by the shop's clock, billed by WeChat Pay the next day.
    fake_wechatpay.trades[late.provider_reference]["success_time"] = f"{_tomorrow()}T00:00:01+08:00"

    # The daily task of tomorrow morning reconciles today: nothing counted as a mismatch.
    assert bills_reconcile_yesterday(today=_today() + timedelta(days=1)) == {"wechatpay": 0}

    today = BillStatement.objects.get(bill_date=_today())
    [waiting] = BillMismatch.objects.all()
    assert (waiting.kind, waiting.reference, waiting.pending) == (
        BillMismatchKind.NOT_IN_BILL,
        late.provider_reference,
        True,
    )
    assert (today.mismatched, today.pending) == (0, 1)

    bill_reconcile(provider="wechatpay", day=_today() + timedelta(days=1))

    today.refresh_from_db()
    assert BillMismatch.objects.count() == 0
    assert (today.mismatched, today.pending) == (0, 0)
    line = BillLine.objects.get(reference=late.provider_reference)
    # The provider's own time of it, from its row.
    assert line.occurred_at == datetime.fromisoformat(f"{_tomorrow()}T00:00:01+08:00")


def test_a_payment_in_neither_day_s_bill_becomes_a_mismatch_once_the_next_day_is_in(
    fake_wechatpay,
):
    _, lost = _paid("wechatpay", fake_wechatpay)
    fake_wechatpay.trades[lost.provider_reference]["success_time"] = "2020-01-01T00:00:00+08:00"

    bill_reconcile(provider="wechatpay", day=_today())
    assert BillMismatch.objects.get().pending is True
    tomorrow = bill_reconcile(provider="wechatpay", day=_today() + timedelta(days=1))

    [mismatch] = BillMismatch.objects.all()
    assert (mismatch.kind, mismatch.pending) == (BillMismatchKind.NOT_IN_BILL, False)
    today = BillStatement.objects.get(bill_date=_today())
    assert (today.mismatched, today.pending, tomorrow.mismatched) == (1, 0, 0)
    # Running the days again, in either order, changes nothing.
    bill_reconcile(provider="wechatpay", day=_today())
    bill_reconcile(provider="wechatpay", day=_today() + timedelta(days=1))
    assert [(m.kind, m.pending) for m in BillMismatch.objects.all()] == [
        (BillMismatchKind.NOT_IN_BILL, False)
    ]


def test_a_payment_the_shop_learnt_of_after_midnight_matches_the_day_before_s_bill(
    fake_alipay,
):
    _, early = _paid("alipay", fake_alipay)
    yesterday = _today() - timedelta(days=1)
    fake_alipay.trades[early.provider_reference]["send_pay_date"] = f"{yesterday} 23:59:59"

    bill_reconcile(provider="alipay", day=_today() + timedelta(days=1))
    before = bill_reconcile(provider="alipay", day=yesterday)
    today = bill_reconcile(provider="alipay", day=_today())

    assert BillMismatch.objects.count() == 0
    assert (before.rows, before.matched, today.rows, today.mismatched) == (1, 1, 0, 0)


def test_a_refund_s_returned_fee_is_compared_with_the_bill(fake_wechatpay):
    fake_wechatpay.refund_status = "SUCCESS"
    order, _payment = _paid("wechatpay", fake_wechatpay)
    refund_number = _refund(order, "40.00").json()["provider_reference"]
    # The bill gives back 0.10 where the refund answer (and the shop) said 0.24.
    fake_wechatpay.refunds[refund_number]["amount"]["refund_fee"] = 10

    statement = bill_reconcile(provider="wechatpay", day=_today())

    [mismatch] = BillMismatch.objects.all()
    assert (mismatch.kind, mismatch.reference) == (BillMismatchKind.FEE, refund_number)
    assert (mismatch.shop_amount, mismatch.bill_amount) == (Decimal("0.24"), Decimal("0.10"))
    assert mismatch.refund.provider_reference == refund_number
    assert (statement.bill_fees, statement.shop_fees) == (Decimal("0.49"), Decimal("0.35"))


def test_a_bill_whose_totals_differ_from_its_rows_is_listed(fake_wechatpay):
    _paid("wechatpay", fake_wechatpay)
    _, dropped = _paid("wechatpay", fake_wechatpay, price="10.00")
    text = fake_wechatpay.bill(_today().isoformat())
    cut = "\r\n".join(line for line in text.split("\r\n") if dropped.provider_reference not in line)

    statement = bill_statement_write("wechatpay", _today(), wechatpay_bill(cut))

    total = BillMismatch.objects.get(kind=BillMismatchKind.TOTAL)
    assert (total.bill_amount, total.shop_amount) == (Decimal("2"), Decimal("1"))
    assert total.note == "differs: rows, paid, fees"
    assert statement.mismatched == 1  # and the dropped payment waits for tomorrow's bill
    assert statement.pending == 1


def test_a_bill_downloaded_a_second_after_its_hash_was_stated_still_matches(
    fake_wechatpay, monkeypatch
):
    """WeChat Pay serves the file whose hash it stated, however long the download waits."""
    _paid("wechatpay", fake_wechatpay)
    seconds = iter(range(1_800_000_000, 1_800_000_100))
    monkeypatch.setattr("gzip.time.time", lambda: next(seconds))

    statement = bill_reconcile(provider="wechatpay", day=_today())

    assert (statement.rows, statement.matched, statement.mismatched) == (1, 1, 0)
