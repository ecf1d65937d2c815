"""WeChat Pay's notifications (signed by the platform, resource encrypted with the API v3
key) are stored once and followed by a query; refunds settle asynchronously, give back
their share of the fee, and one that fails is reopened with the ledger untouched."""

import time
from decimal import Decimal

import pytest

from shop.ops.invariants import invariants_check
from shop.orders.models import OrderStatus
from shop.payments.models import Payment, PaymentStatus, Refund, RefundStatus, WebhookEvent
from shop.payments.providers.base import PaymentOptions
from shop.payments.services import payment_start
from tests.conftest import client_for
from tests.factories import SuperuserFactory, order_with_stock
from tests.shop.payments.helpers import ledger_sources, ledger_total, priced_variant

pytestmark = pytest.mark.django_db
NOTIFY = "/api/v1/payments/wechatpay/notify/"


def _notify(client, fake, event_type, resource, **kwargs):
    meta, body = fake.notification(event_type, resource, **kwargs)
    return client.generic("POST", NOTIFY, body, content_type="application/json", **meta)


def _started(price="99.00", quantity=2):
    order = order_with_stock(lines=[(priced_variant(price), quantity)])
    payment = payment_start(order=order, provider="wechatpay", options=PaymentOptions("native"))
    return order, payment


def _paid(api_client, fake, capture):
    order, payment = _started()
    resource = fake.pay(payment.provider_reference)
    with capture(execute=True):
        assert _notify(api_client, fake, "TRANSACTION.SUCCESS", resource).status_code == 204
    order.refresh_from_db()
    payment.refresh_from_db()
    return order, payment


def _refund(order, amount):
    return client_for(SuperuserFactory()).post(
        f"/api/v1/staff/orders/{order.number}/refunds/",
        {"amount": amount, "reason": "damaged"},
        format="json",
    )


def test_a_success_notification_is_followed_by_a_query_and_pays_once(
    api_client, fake_wechatpay, django_capture_on_commit_callbacks
):
    order, payment = _paid(api_client, fake_wechatpay, django_capture_on_commit_callbacks)

    assert (order.status, payment.status, payment.fee) == (
        OrderStatus.FULFILLING,
        PaymentStatus.SUCCEEDED,
        Decimal("1.19"),
    )
    assert fake_wechatpay.calls(
        "GET", f"/v3/pay/transactions/out-trade-no/{payment.provider_reference}"
    )
    assert ledger_sources(order) == {f"payment:{payment.pk}", f"payment-fee:{payment.pk}"}
    [event] = WebhookEvent.objects.filter(provider="wechatpay")
    # The same notification again (WeChat Pay repeats until answered): nothing moves.
    meta, body = fake_wechatpay.notification(
        "TRANSACTION.SUCCESS",
        fake_wechatpay.trades[payment.provider_reference],
        event_id=event.event_id,
    )
    again = api_client.generic("POST", NOTIFY, body, content_type="application/json", **meta)
    assert again.status_code == 204
    assert WebhookEvent.objects.filter(provider="wechatpay").count() == 1
    assert Payment.objects.filter(order=order, status=PaymentStatus.SUCCEEDED).count() == 1
    assert ledger_total(order) == Decimal("198.00") - Decimal("1.19")
    assert invariants_check() == []


def test_a_notification_is_only_a_hint_the_query_decides(api_client, fake_wechatpay):
    _order, payment = _started()
    # A forged-looking claim of success is signed, but WeChat Pay says the trade is unpaid.
    claim = {**fake_wechatpay.trades[payment.provider_reference], "trade_state": "SUCCESS"}

    response = _notify(api_client, fake_wechatpay, "TRANSACTION.SUCCESS", claim)

    assert response.status_code == 204
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING


def test_an_amount_that_does_not_match_holds_the_payment_for_review(
    api_client, fake_wechatpay, django_capture_on_commit_callbacks
):
    order, payment = _started()
    resource = fake_wechatpay.pay(payment.provider_reference, total_fen=100)

    with django_capture_on_commit_callbacks(execute=True):
        _notify(api_client, fake_wechatpay, "TRANSACTION.SUCCESS", resource)

    payment.refresh_from_db()
    order.refresh_from_db()
    assert (payment.status, payment.failure_code) == (PaymentStatus.REVIEW, "amount_differs")
    assert order.status == OrderStatus.PENDING_PAYMENT
    assert ledger_total(order) == Decimal("0.00")


@pytest.mark.parametrize("tamper", ["signature", "old", "decryption", "serial"])
def test_bad_notifications_are_refused_and_not_stored(api_client, fake_wechatpay, tamper):
    _order, payment = _started()
    resource = fake_wechatpay.pay(payment.provider_reference)
    at = int(time.time()) - 3600 if tamper == "old" else 0
    meta, body = fake_wechatpay.notification("TRANSACTION.SUCCESS", resource, at=at)
    if tamper == "signature":
        body = body.replace(b'"TRANSACTION.SUCCESS"', b'"TRANSACTION.SUCCESS" ')
    if tamper == "decryption":
        fake_wechatpay.keys.api_v3_key, key = "0" * 32, fake_wechatpay.keys.api_v3_key
        meta, body = fake_wechatpay.notification("TRANSACTION.SUCCESS", resource)
        fake_wechatpay.keys.api_v3_key = key
    if tamper == "serial":
        meta["HTTP_WECHATPAY_SERIAL"] = "ABCDEF"

    response = api_client.generic("POST", NOTIFY, body, content_type="application/json", **meta)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_signature"
    assert WebhookEvent.objects.count() == 0
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING


def test_wechat_pay_down_while_reading_back_answers_503_and_the_retry_applies(
    api_client, fake_wechatpay, django_capture_on_commit_callbacks
):
    _order, payment = _started()
    resource = fake_wechatpay.pay(payment.provider_reference)
    meta, body = fake_wechatpay.notification("TRANSACTION.SUCCESS", resource)
    fake_wechatpay.fail_next(500)

    first = api_client.generic("POST", NOTIFY, body, content_type="application/json", **meta)
    with django_capture_on_commit_callbacks(execute=True):
        second = api_client.generic("POST", NOTIFY, body, content_type="application/json", **meta)

    assert (first.status_code, second.status_code) == (503, 204)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED


def test_a_refund_processing_then_successful_moves_the_ledger_once(
    api_client, fake_wechatpay, django_capture_on_commit_callbacks
):
    order, _payment = _paid(api_client, fake_wechatpay, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        response = _refund(order, "99.00")

    assert (response.status_code, response.json()["status"]) == (201, "pending")
    refund = Refund.objects.get(order=order)
    assert refund.provider_reference == f"coshopR{refund.pk}"
    assert ledger_total(order) == Decimal("198.00") - Decimal("1.19")

    settled = fake_wechatpay.refund_settle(refund.provider_reference, "SUCCESS")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):  # delivered twice
            assert (
                _notify(
                    api_client, fake_wechatpay, "REFUND.SUCCESS", settled, event_id="r1"
                ).status_code
                == 204
            )

    refund.refresh_from_db()
    order.refresh_from_db()
    assert (refund.status, refund.fee_returned) == (RefundStatus.SUCCEEDED, Decimal("0.59"))
    assert order.amount_refunded == Decimal("99.00")
    assert ledger_sources(order) >= {f"refund:{refund.pk}", f"refund-fee:{refund.pk}"}
    # Half the payment refunded: the fee of that half (0.59 of 1.19) comes back.
    assert ledger_total(order) == Decimal("99.00") - Decimal("1.19") + Decimal("0.59")
    assert invariants_check() == []


@pytest.mark.parametrize("outcome", ["CLOSED", "ABNORMAL"])
def test_a_refund_that_fails_is_reopened_and_the_ledger_never_sees_it(
    api_client, fake_wechatpay, django_capture_on_commit_callbacks, outcome
):
    order, payment = _paid(api_client, fake_wechatpay, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        _refund(order, "198.00")
    refund = Refund.objects.get(order=order)

    settled = fake_wechatpay.refund_settle(refund.provider_reference, outcome)
    with django_capture_on_commit_callbacks(execute=True):
        _notify(api_client, fake_wechatpay, f"REFUND.{outcome}", settled)

    refund.refresh_from_db()
    payment.refresh_from_db()
    assert (refund.status, refund.failure_code) == (
        RefundStatus.FAILED,
        f"wechatpay_{outcome.lower()}",
    )
    assert payment.amount_refunded == Decimal("0.00")
    assert ledger_total(order) == Decimal("198.00") - Decimal("1.19")
    # Reopened: the same amount can be refunded again, and this time it goes through.
    fake_wechatpay.refund_status = "SUCCESS"
    with django_capture_on_commit_callbacks(execute=True):
        again = _refund(order, "198.00")
    assert (again.status_code, again.json()["status"]) == (201, "succeeded")
    # The whole fee came back with the refund that went through, once; none with the
    # one that failed.
    assert [r.fee_returned for r in Refund.objects.filter(order=order)] == [
        Decimal("0.00"),
        Decimal("1.19"),
    ]
    assert ledger_total(order) == Decimal("0.00")
    assert invariants_check() == []


def test_a_refund_wechat_pay_refuses_is_reopened_at_once(
    api_client, fake_wechatpay, django_capture_on_commit_callbacks
):
    order, payment = _paid(api_client, fake_wechatpay, django_capture_on_commit_callbacks)
    fake_wechatpay.trades[payment.provider_reference]["refunded"] = 19800  # refunded elsewhere

    response = _refund(order, "10.00")

    assert response.status_code == 502
    refund = Refund.objects.get(order=order)
    payment.refresh_from_db()
    assert refund.status == RefundStatus.FAILED
    assert payment.amount_refunded == Decimal("0.00")


def test_close_cancels_an_unpaid_trade_and_a_paid_one_is_applied(fake_wechatpay):
    from shop.payments.providers.wechatpay import WeChatPayGateway

    _, payment = _started()
    state = WeChatPayGateway().cancel_payment(payment)
    assert state.status == PaymentStatus.CANCELLED
    assert fake_wechatpay.calls(
        "POST", f"/v3/pay/transactions/out-trade-no/{payment.provider_reference}/close"
    )

    _order, payment = _started()
    fake_wechatpay.pay(payment.provider_reference)
    assert WeChatPayGateway().cancel_payment(payment).status == PaymentStatus.SUCCEEDED
