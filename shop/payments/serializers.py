"""A payment as its payer sees it: the answer of the payments API and of placing an order
with its payment."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from shop.core.money import quantize
from shop.payments.models import Payment


class PaymentActionSerializer(serializers.Serializer):
    """What the page does to let the shopper pay; empty for Stripe (client_secret) and the
    fake provider."""

    scene = serializers.CharField(required=False)
    type = serializers.ChoiceField(
        choices=["jsapi", "redirect", "qr_code"],
        required=False,
        help_text="jsapi: pass params to WeixinJSBridge getBrandWCPayRequest; redirect: send"
        " the shopper to url; qr_code: show code_url as a QR code.",
    )
    params = serializers.DictField(child=serializers.CharField(), required=False)
    url = serializers.URLField(required=False)
    code_url = serializers.CharField(required=False)


class ShopperPaymentSerializer(serializers.ModelSerializer):
    order_number = serializers.CharField(source="order.number")
    order_status = serializers.CharField(source="order.status")
    action = PaymentActionSerializer()

    class Meta:
        model = Payment
        fields = [
            "id",
            "provider",
            "status",
            "client_secret",
            "action",
            "amount",
            "currency",
            "order_number",
            "order_status",
            "failure_code",
            "failure_message",
        ]


def payment_output(payment: Payment) -> dict[str, Any]:
    """A payment as its payer sees it (the shape of ShopperPaymentSerializer)."""
    return {
        "id": payment.pk,
        "provider": payment.provider,
        "status": payment.status,
        "client_secret": payment.client_secret,
        "action": payment.action,
        "amount": str(quantize(payment.amount)),
        "currency": payment.currency,
        "order_number": payment.order.number,
        "order_status": payment.order.status,
        "failure_code": payment.failure_code,
        "failure_message": payment.failure_message,
    }
