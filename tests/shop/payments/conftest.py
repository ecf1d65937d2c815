"""Fixtures for payment tests: what payments left in the ledger and the task queue (the
local fake Stripe is shared by the whole suite)."""

from __future__ import annotations

import pytest

from tests.shop.payments.helpers import effects_recorded


@pytest.fixture
def spy():
    """The ledger's rows and the tasks sent (the name is older than what it does)."""
    with effects_recorded() as effects:
        yield effects


@pytest.fixture(scope="session")
def wechatpay_keys():
    """The merchant's and the platform's key pairs, made once for the test run."""
    from shop.payments.fakes.wechatpay import WeChatPayKeys

    return WeChatPayKeys()


@pytest.fixture
def fake_wechatpay(settings, wechatpay_keys, tmp_path):
    """WeChat Pay enabled and pointed at a local fake; the real ``wechatpayv3`` is used,
    in platform-certificate mode (the certificates are downloaded from the fake)."""
    from shop.payments.fakes.wechatpay import FakeWeChatPay

    fake = FakeWeChatPay(wechatpay_keys).start()
    for name, value in wechatpay_keys.shop_settings(fake.url, str(tmp_path)).items():
        setattr(settings, name, value)
    settings.WECHATPAY_NOTIFY_URL = "https://shop.example.com/api/v1/payments/wechatpay/notify/"
    settings.WECHATPAY_TIMEOUT_SECONDS = 1
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def alipay_keys():
    from shop.payments.fakes.alipay import AlipayKeys

    return AlipayKeys()


@pytest.fixture
def fake_alipay(settings, alipay_keys):
    """Alipay enabled and pointed at a local fake gateway; ``python-alipay-sdk`` is used."""
    from shop.payments.fakes.alipay import FakeAlipay

    fake = FakeAlipay(alipay_keys).start()
    for name, value in alipay_keys.shop_settings(fake.url).items():
        setattr(settings, name, value)
    settings.ALIPAY_NOTIFY_URL = "https://shop.example.com/api/v1/payments/alipay/notify/"
    settings.ALIPAY_TIMEOUT_SECONDS = 1
    yield fake
    fake.stop()
