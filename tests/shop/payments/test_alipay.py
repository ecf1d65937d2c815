"""Alipay with the real ``python-alipay-sdk`` talking HTTP to a local fake gateway that
checks the shop's RSA2 signatures and signs its answers and notifications as Alipay does."""

from decimal import Decimal
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from shop.ops.invariants import invariants_check
from shop.orders.models import OrderStatus
from shop.payments.errors import PaymentProviderUnavailable
from shop.payments.models import Payment, PaymentStatus, Refund, RefundStatus, WebhookEvent
from shop.payments.providers.alipay import AlipayGateway
from shop.payments.providers.base import PaymentOptions
from shop.payments.services import payment_start, payment_sync
from tests.conftest import client_for
from tests.factories import SuperuserFactory, order_with_stock
from tests.shop.payments.helpers import ledger_sources, ledger_total, priced_variant

pytestmark = pytest.mark.django_db
NOTIFY = "/api/v1/payments/alipay/notify/"


def _order(price="99.00", quantity=2):
    return order_with_stock(lines=[(priced_variant(price), quantity)], email="s@example.com")


def _started(scene="page"):
    order = _order()
    payment = payment_start(order=order, provider="alipay", options=PaymentOptions(scene))
    return order, payment


def _notify(client, form):
    # As Alipay posts it: form-encoded, UTF-8.
    return client.generic(
        "POST", NOTIFY, urlencode(form), content_type="application/x-www-form-urlencoded"
    )


def _paid(api_client, fake, capture):
    order, payment = _started()
    fake.visit(payment.action["url"])
    form = fake.pay(payment.provider_reference)
    with capture(execute=True):
        response = _notify(api_client, form)
    assert (response.status_code, response.content) == (200, b"success")
    order.refresh_from_db()
    payment.refresh_from_db()
    return order, payment


def _refund(order, amount):
    return client_for(SuperuserFactory()).post(
        f"/api/v1/staff/orders/{order.number}/refunds/",
        {"amount": amount, "reason": "damaged"},
        format="json",
    )


@pytest.mark.parametrize(
    ("scene", "method"), [("page", "alipay.trade.page.pay"), ("wap", "alipay.trade.wap.pay")]
)
def test_a_storefront_gets_a_signed_cashier_url(api_client, fake_alipay, scene, method):
    order = _order()

    response = api_client.post(
        f"/api/v1/orders/{order.number}/payments/",
        {"provider": "alipay", "email": "s@example.com", "scene": scene},
        format="json",
    )

    assert response.status_code == 201, response.json()
    action = response.json()["action"]
    assert action["type"] == "redirect"
    query = parse_qs(urlsplit(action["url"]).query)
    assert query["method"] == [method]
    assert query["sign_type"] == ["RSA2"]
    assert '"total_amount":"198.00"' in query["biz_content"][0]
    assert fake_alipay.visit(action["url"]) == 200
    [seen] = fake_alipay.seen
    assert seen.signed


def test_a_paid_trade_notified_pays_the_order_once_with_the_fee_rule(
    api_client, fake_alipay, django_capture_on_commit_callbacks
):
    order, payment = _paid(api_client, fake_alipay, django_capture_on_commit_callbacks)

    assert (order.status, payment.status, payment.fee) == (
        OrderStatus.FULFILLING,
        PaymentStatus.SUCCEEDED,
        Decimal("1.19"),
    )
    assert any(s.signed and "alipay.trade.query" in s.path for s in fake_alipay.seen)
    assert ledger_total(order) == Decimal("196.81")
    # The same notification again (a replay, or Alipay repeating it): stored once, nothing moves.
    [event] = WebhookEvent.objects.filter(provider="alipay")
    form = fake_alipay.notification(
        fake_alipay.trades[payment.provider_reference], notify_id=event.event_id
    )
    assert _notify(api_client, form).content == b"success"
    assert WebhookEvent.objects.filter(provider="alipay").count() == 1
    assert Payment.objects.filter(order=order, status=PaymentStatus.SUCCEEDED).count() == 1
    assert invariants_check() == []


@pytest.mark.parametrize("tamper", ["amount", "signature", "app"])
def test_bad_notifications_are_refused(api_client, fake_alipay, tamper):
    _, payment = _started()
    fake_alipay.visit(payment.action["url"])
    form = fake_alipay.pay(payment.provider_reference)
    if tamper == "amount":
        form["total_amount"] = "0.01"
    if tamper == "signature":
        form["sign"] = form["sign"][:-8] + "AAAAAAA="
    if tamper == "app":
        fake_alipay.keys.app_id, app_id = "2021999", fake_alipay.keys.app_id
        form = fake_alipay.notification(fake_alipay.trades[payment.provider_reference])
        fake_alipay.keys.app_id = app_id

    response = _notify(api_client, form)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_signature"
    assert WebhookEvent.objects.count() == 0


def test_a_notification_is_a_hint_an_unpaid_trade_stays_unpaid(api_client, fake_alipay):
    _, payment = _started()
    fake_alipay.visit(payment.action["url"])
    trade = {**fake_alipay.trades[payment.provider_reference], "trade_status": "TRADE_SUCCESS"}

    assert _notify(api_client, fake_alipay.notification(trade)).content == b"success"

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING


def test_an_amount_that_does_not_match_holds_the_payment(
    api_client, fake_alipay, django_capture_on_commit_callbacks
):
    order, payment = _started()
    fake_alipay.visit(payment.action["url"])
    form = fake_alipay.pay(payment.provider_reference, total="1.00")

    with django_capture_on_commit_callbacks(execute=True):
        _notify(api_client, form)

    payment.refresh_from_db()
    assert (payment.status, payment.failure_code) == (PaymentStatus.REVIEW, "amount_differs")
    assert ledger_total(order) == Decimal("0.00")


@pytest.mark.parametrize("trouble", ["server_error", "timeout", "forged"])
def test_an_unknown_answer_leaves_the_payment_as_it_was(fake_alipay, trouble):
    _, payment = _started()
    fake_alipay.visit(payment.action["url"])
    fake_alipay.pay(payment.provider_reference)
    if trouble == "server_error":
        fake_alipay.fail_next(502)
    elif trouble == "timeout":
        fake_alipay.slow_next(2)
    else:
        fake_alipay.forge_next()

    with pytest.raises(PaymentProviderUnavailable):
        payment_sync(payment_id=payment.pk)

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    assert payment_sync(payment_id=payment.pk).status == PaymentStatus.SUCCEEDED


def test_an_unvisited_cashier_is_pending_and_closing_it_cancels(fake_alipay):
    _, payment = _started()

    assert AlipayGateway().retrieve(payment.provider_reference).status == PaymentStatus.PENDING
    assert AlipayGateway().cancel_payment(payment).status == PaymentStatus.CANCELLED

    _, payment = _started()
    fake_alipay.visit(payment.action["url"])
    assert AlipayGateway().cancel_payment(payment).status == PaymentStatus.CANCELLED
    assert fake_alipay.trades[payment.provider_reference]["trade_status"] == "TRADE_CLOSED"

    _, payment = _started()
    fake_alipay.visit(payment.action["url"])
    fake_alipay.pay(payment.provider_reference)
    assert AlipayGateway().cancel_payment(payment).status == PaymentStatus.SUCCEEDED


def test_refunds_succeed_at_once_or_later_and_a_full_refund_stays_a_paid_trade(
    api_client, fake_alipay, django_capture_on_commit_callbacks
):
    order, payment = _paid(api_client, fake_alipay, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        first = _refund(order, "99.00")
    assert (first.status_code, first.json()["status"]) == (201, "succeeded")

    fake_alipay.refunds_wait = True
    with django_capture_on_commit_callbacks(execute=True):
        second = _refund(order, "99.00")
    assert second.json()["status"] == "pending"
    refund = Refund.objects.get(pk=second.json()["id"])
    fake_alipay.refund_settle(refund.provider_reference)
    trade = fake_alipay.trades[payment.provider_reference]
    form = fake_alipay.notification(
        trade, out_biz_no=refund.provider_reference, refund_fee="198.00"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert _notify(api_client, form).content == b"success"

    refund.refresh_from_db()
    order.refresh_from_db()
    payment.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED
    assert (order.status, order.amount_refunded) == (OrderStatus.REFUNDED, Decimal("198.00"))
    assert payment.status == PaymentStatus.SUCCEEDED  # a closed trade that was paid
    assert ledger_sources(order) >= {f"refund:{r.pk}" for r in Refund.objects.filter(order=order)}
    assert invariants_check() == []


def test_a_refund_alipay_refuses_is_reopened_and_the_ledger_never_sees_it(
    api_client, fake_alipay, django_capture_on_commit_callbacks
):
    order, payment = _paid(api_client, fake_alipay, django_capture_on_commit_callbacks)
    fake_alipay.trades[payment.provider_reference]["refunded"] = Decimal("198.00")

    response = _refund(order, "10.00")

    assert response.status_code == 502
    refund = Refund.objects.get(order=order)
    payment.refresh_from_db()
    assert refund.status == RefundStatus.FAILED
    assert payment.amount_refunded == Decimal("0.00")
    assert ledger_total(order) == Decimal("196.81")
