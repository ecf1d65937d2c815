"""Payment providers: Stripe for real money, an offline fake for development and the demo."""

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
    return enabled & set(PaymentProvider.values)


def provider_get(name: str) -> PaymentGateway:
    """The gateway for a provider name, built from the current settings."""
    if name == PaymentProvider.FAKE:
        from shop.payments.providers.fake import FakeGateway

        return FakeGateway()
    if name == PaymentProvider.STRIPE:
        from shop.payments.providers.stripe import StripeGateway

        return StripeGateway()
    raise PaymentProviderNotEnabled()
