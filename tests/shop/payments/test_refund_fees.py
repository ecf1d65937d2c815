"""The payment fee a refund gives back: WeChat Pay's figure from its refund answer,
Alipay's by its fee rule, all of it after a full refund, never more than is left, and
none for Stripe; the ledger follows and the staff see it."""

from decimal import Decimal

import pytest

from shop.ops.invariants import invariants_check
from shop.payments.models import PaymentStatus, Refund, RefundStatus
from shop.payments.providers.base import PaymentOptions
from shop.payments.refund_fees import refund_fee_returned
from shop.payments.services import payment_start, payment_sync
from tests.conftest import client_for
from tests.factories import PaymentFactory, SuperuserFactory, order_with_stock
from tests.shop.payments.helpers import ledger_total, priced_variant

pytestmark = pytest.mark.django_db


def _paid(provider, fake, price="99.00", quantity=1):
    order = order_with_stock(lines=[(priced_variant(price), quantity)])
    scene = "native" if provider == "wechatpay" else "page"
    payment = payment_start(order=order, provider=provider, options=PaymentOptions(scene))
    if provider == "alipay":
        fake.visit(payment.action["url"])
    fake.pay(payment.provider_reference)
    return order, payment_sync(payment_id=payment.pk)


def _refund(order, amount):
    response = client_for(SuperuserFactory()).post(
        f"/api/v1/staff/orders/{order.number}/refunds/",
        {"amount": amount, "reason": "damaged"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def test_wechat_pay_refunds_give_back_the_whole_fee_in_two_parts(fake_wechatpay):
    fake_wechatpay.refund_status = "SUCCESS"
    order, payment = _paid("wechatpay", fake_wechatpay, quantity=2)
    assert payment.fee == Decimal("1.19")  # 198.00 x 0.6%, to the fen

    first = _refund(order, "99.00")
    assert ledger_total(order) == Decimal("99.00") - Decimal("1.19") + Decimal("0.59")
    second = _refund(order, "99.00")

    assert (first["fee_returned"], second["fee_returned"]) == ("0.59", "0.60")
    assert ledger_total(order) == Decimal("0.00")
    assert invariants_check() == []
    detail = client_for(SuperuserFactory()).get(f"/api/v1/staff/orders/{order.number}/")
    assert [r["fee_returned"] for r in detail.json()["refunds"]] == ["0.59", "0.60"]


def test_wechat_pay_s_own_figure_is_taken_over_the_rule(fake_wechatpay):
    fake_wechatpay.refund_status = "SUCCESS"
    order, _payment = _paid("wechatpay", fake_wechatpay, quantity=2)
    fake_wechatpay.fee_rate = Decimal("0.004")  # it gives back less than our rule says

    refund = _refund(order, "99.00")

    assert refund["fee_returned"] == "0.40"  # its refund_fee (0.396), not our 0.59
    assert invariants_check() == []


def test_alipay_refunds_return_the_fee_by_its_rule_and_the_last_takes_the_rest(fake_alipay):
    order, payment = _paid("alipay", fake_alipay)
    assert payment.fee == Decimal("0.59")

    returned = [_refund(order, "33.00")["fee_returned"] for _ in range(3)]

    assert returned == ["0.20", "0.20", "0.19"]
    assert ledger_total(order) == Decimal("0.00")
    assert invariants_check() == []


def test_a_refund_never_returns_more_than_is_left_of_the_fee(settings):
    payment = PaymentFactory(
        provider="alipay",
        status=PaymentStatus.SUCCEEDED,
        amount=Decimal("100.00"),
        fee=Decimal("0.25"),
        order__subtotal=Decimal("100.00"),
        order__total=Decimal("100.00"),
    )
    earlier = Refund.objects.create(
        payment=payment,
        order=payment.order,
        amount=Decimal("20.00"),
        status=RefundStatus.SUCCEEDED,
        fee_returned=Decimal("0.12"),
    )
    pending = Refund.objects.create(
        payment=payment, order=payment.order, amount=Decimal("50.00"), fee_returned=0
    )

    assert refund_fee_returned(payment, pending, None) == Decimal("0.13")  # not 0.30
    assert refund_fee_returned(payment, pending, Decimal("9.99")) == Decimal("0.13")
    Refund.objects.filter(pk=earlier.pk).update(status=RefundStatus.FAILED)
    assert refund_fee_returned(payment, pending, None) == Decimal("0.25")


@pytest.mark.parametrize("provider", ["stripe", "fake"])
def test_stripe_and_the_fake_provider_keep_their_fee(provider):
    payment = PaymentFactory(
        provider=provider,
        status=PaymentStatus.SUCCEEDED,
        amount=Decimal("100.00"),
        fee=Decimal("3.20"),
        order__subtotal=Decimal("100.00"),
        order__total=Decimal("100.00"),
    )
    refund = Refund.objects.create(payment=payment, order=payment.order, amount=payment.amount)

    assert refund_fee_returned(payment, refund, None) == Decimal("0.00")
