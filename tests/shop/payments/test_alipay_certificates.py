"""Alipay in public-key certificate mode (公钥证书模式): the real ``python-alipay-sdk``
(``DCAliPay``) against the local fake gateway holding certificates made for the test
(a root chain, the app's certificate, Alipay's certificate): a payment, its
notification and a refund end to end, and certificates that do not match refused."""

from decimal import Decimal
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from alipay import DCAliPay

from shop.ops.invariants import invariants_check
from shop.orders.models import OrderStatus
from shop.payments.errors import PaymentProviderRejected, PaymentProviderUnavailable
from shop.payments.fakes.alipay import AlipayKeys, FakeAlipay
from shop.payments.models import PaymentStatus, RefundStatus
from shop.payments.providers.alipay import AlipayGateway, alipay_client
from shop.payments.providers.base import PaymentOptions
from shop.payments.services import payment_start
from tests.conftest import client_for
from tests.factories import SuperuserFactory, order_with_stock
from tests.shop.payments.helpers import ledger_total, priced_variant

pytestmark = pytest.mark.django_db
NOTIFY = "/api/v1/payments/alipay/notify/"


@pytest.fixture(scope="module")
def certified_keys():
    return AlipayKeys(certificates=True)


@pytest.fixture
def fake_alipay_certified(settings, certified_keys):
    fake = FakeAlipay(certified_keys).start()
    for name, value in certified_keys.shop_settings(fake.url).items():
        setattr(settings, name, value)
    settings.ALIPAY_NOTIFY_URL = "https://shop.example.com/api/v1/payments/alipay/notify/"
    settings.ALIPAY_TIMEOUT_SECONDS = 1
    yield fake
    fake.stop()


def test_the_certificates_serial_numbers_are_alipay_s_as_the_sdk_reads_them(certified_keys):
    certs = certified_keys.certificates

    assert DCAliPay.get_cert_sn(certs.app_cert) == certs.app_cert_sn
    assert DCAliPay.get_cert_sn(certs.alipay_cert) == certs.alipay_cert_sn
    # The chain holds an elliptic-curve root beside the RSA one: only the RSA one counts.
    assert DCAliPay.get_root_cert_sn(certs.root_chain) == certs.root_cert_sn
    assert "_" not in certs.root_cert_sn


def test_a_payment_its_notification_and_a_refund_in_certificate_mode(
    api_client, fake_alipay_certified, django_capture_on_commit_callbacks
):
    fake, certs = fake_alipay_certified, fake_alipay_certified.keys.certificates
    order = order_with_stock(lines=[(priced_variant("99.00"), 2)])
    payment = payment_start(order=order, provider="alipay", options=PaymentOptions("page"))
    query = parse_qs(urlsplit(payment.action["url"]).query)
    assert query["app_cert_sn"] == [certs.app_cert_sn]
    assert query["alipay_root_cert_sn"] == [certs.root_cert_sn]

    assert fake.visit(payment.action["url"]) == 200
    form = fake.pay(payment.provider_reference)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.generic(
            "POST", NOTIFY, urlencode(form), content_type="application/x-www-form-urlencoded"
        )
    assert (response.status_code, response.content) == (200, b"success")
    order.refresh_from_db()
    payment.refresh_from_db()
    assert (order.status, payment.status) == (OrderStatus.FULFILLING, PaymentStatus.SUCCEEDED)
    assert all(seen.signed for seen in fake.seen)

    with django_capture_on_commit_callbacks(execute=True):
        refund = client_for(SuperuserFactory()).post(
            f"/api/v1/staff/orders/{order.number}/refunds/",
            {"amount": "198.00", "reason": "damaged"},
            format="json",
        )

    assert (refund.status_code, refund.json()["status"]) == (201, RefundStatus.SUCCEEDED)
    assert refund.json()["fee_returned"] == str(payment.fee) == "1.19"
    assert ledger_total(order) == Decimal("0.00")
    assert invariants_check() == []


def test_a_request_naming_another_app_certificate_is_refused(settings, fake_alipay_certified):
    settings.ALIPAY_APP_CERT = AlipayKeys(certificates=True).certificates.app_cert
    order = order_with_stock(lines=[(priced_variant("10.00"), 1)])
    payment = payment_start(order=order, provider="alipay", options=PaymentOptions("page"))

    with pytest.raises(PaymentProviderRejected):
        AlipayGateway(alipay_client()).retrieve(payment.provider_reference)

    assert fake_alipay_certified.seen[-1].signed is False


def test_an_answer_not_signed_by_the_key_of_alipay_s_certificate_is_refused(
    fake_alipay_certified,
):
    order = order_with_stock(lines=[(priced_variant("10.00"), 1)])
    payment = payment_start(order=order, provider="alipay", options=PaymentOptions("page"))
    fake_alipay_certified.visit(payment.action["url"])
    fake_alipay_certified.forge_next()

    with pytest.raises(PaymentProviderUnavailable):
        AlipayGateway().retrieve(payment.provider_reference)
