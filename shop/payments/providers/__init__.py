"""Payment providers: Stripe, WeChat Pay and Alipay for real money, an offline fake for
development and the demo."""

from __future__ import annotations

from django.conf import settings

from shop.payments.errors import PaymentProviderNotEnabled
from shop.payments.models import PaymentProvider
from shop.payments.providers.base import PaymentGateway


def providers_enabled() -> set[str]:
    """Stripe when it has a key; the fake provider only where it is the configured default,
    so a live shop never lets a shopper confirm their own payment."""
    enabled = {settings.SHOP_PAYMENT_PROVIDER}
    if settings.STRIPE_SECRET_KEY:
        enabled.add(PaymentProvider.STRIPE)
    if settings.WECHATPAY_MCHID:
        enabled.add(PaymentProvider.WECHATPAY)
    if settings.ALIPAY_APP_ID:
        enabled.add(PaymentProvider.ALIPAY)
    return enabled & set(PaymentProvider.values)


def provider_get(name: str) -> PaymentGateway:
    """The gateway for a provider name, built from the current settings."""
    if name == PaymentProvider.FAKE:
        from shop.payments.providers.fake import FakeGateway

        return FakeGateway()
    if name == PaymentProvider.STRIPE:
        from shop.payments.providers.stripe import StripeGateway

        return StripeGateway()
    if name == PaymentProvider.WECHATPAY:
        from shop.payments.providers.wechatpay import WeChatPayGateway

        return WeChatPayGateway()
    if name == PaymentProvider.ALIPAY:
        from shop.payments.providers.alipay import AlipayGateway

        return AlipayGateway()
    raise PaymentProviderNotEnabled()
