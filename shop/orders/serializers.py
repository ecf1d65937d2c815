"""An order as its shopper sees it: the answer of the order APIs and of placing an order."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from shop.core.money import quantize
from shop.orders.models import Order

# Events a shopper sees; internal notes and e-mail records stay with staff.
PUBLIC_EVENTS = {
    "placed",
    "status_changed",
    "payment_succeeded",
    "payment_failed",
    "refunded",
    "expired",
    "cancelled",
    "fulfillment",
}


class OrderLineOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sku = serializers.CharField()
    product_name = serializers.CharField()
    variant_name = serializers.CharField()
    quantity = serializers.IntegerField()
    quantity_refunded = serializers.IntegerField()
    currency = serializers.CharField()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    line_total = serializers.DecimalField(max_digits=12, decimal_places=2)
    personalisation = serializers.CharField()


class OrderEventOutputSerializer(serializers.Serializer):
    type = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    created_at = serializers.DateTimeField()


class OrderOutputSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    channel = serializers.CharField()
    currency = serializers.CharField()
    subtotal = serializers.DecimalField(max_digits=12, decimal_places=2)
    shipping_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    discount = serializers.DecimalField(max_digits=12, decimal_places=2)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    amount_paid = serializers.DecimalField(max_digits=12, decimal_places=2)
    amount_refunded = serializers.DecimalField(max_digits=12, decimal_places=2)
    voucher_code = serializers.CharField()
    shipping_method = serializers.CharField()
    email = serializers.CharField(required=False)
    phone = serializers.CharField(required=False)
    shipping_address = serializers.DictField(required=False)
    created_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True)
    lines = OrderLineOutputSerializer(many=True)
    events = OrderEventOutputSerializer(many=True)


_MOMENT = serializers.DateTimeField()


def _moment(value: Any) -> str | None:
    return _MOMENT.to_representation(value) if value else None


def order_output(order: Order, lang: str, *, include_contact: bool) -> dict[str, Any]:
    """An order as its shopper sees it (the shape of OrderOutputSerializer)."""
    body: dict[str, Any] = {
        "number": order.number,
        "status": order.status,
        "channel": order.channel.code,
        "currency": order.currency,
        "subtotal": str(quantize(order.subtotal)),
        "shipping_price": str(quantize(order.shipping_price)),
        "discount": str(quantize(order.discount)),
        "total": str(quantize(order.total)),
        "amount_paid": str(quantize(order.amount_paid)),
        "amount_refunded": str(quantize(order.amount_refunded)),
        "voucher_code": order.voucher_code,
        "shipping_method": order.shipping_method_name,
        "created_at": _moment(order.created_at),
        "paid_at": _moment(order.paid_at),
        "expires_at": _moment(order.expires_at),
        "lines": [
            {
                "id": line.pk,
                "sku": line.sku,
                "product_name": line.product_name,
                "variant_name": line.variant_name,
                "quantity": line.quantity,
                "quantity_refunded": line.quantity_refunded,
                "currency": line.currency,
                "unit_price": str(quantize(line.unit_price)),
                "line_total": str(quantize(line.line_total)),
                "personalisation": line.personalisation,
            }
            for line in order.lines.all()
        ],
        "events": [
            {
                "type": event.type,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "created_at": _moment(event.created_at),
            }
            for event in order.events.all()
            if event.type in PUBLIC_EVENTS
        ],
    }
    if include_contact:
        body.update(email=order.email, phone=order.phone, shipping_address=order.shipping_address)
    return body
