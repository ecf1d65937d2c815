"""Shopper order API: my orders, one order, a guest's order by number and e-mail, cancel."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.core.i18n import language_from_request
from shop.core.money import quantize
from shop.core.pagination import PagePagination
from shop.core.schema import error_responses
from shop.core.throttling import ShopScopedRateThrottle
from shop.orders.models import Order
from shop.orders.numbers import NUMBER_MAX_LENGTH
from shop.orders.selectors import order_get_for_shopper, order_list_for_user, order_reload
from shop.orders.services import order_cancel_unpaid

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


class OrderListApi(APIView):
    permission_classes = [IsAuthenticated]
    pagination_class = PagePagination  # so the schema shows the page, not a bare list

    @extend_schema(
        responses={200: OrderOutputSerializer(many=True), **error_responses(401, 404)},
        operation_id="my_order_list",
    )
    def get(self, request: Request) -> Response:
        paginator = PagePagination()
        page = paginator.paginate_queryset(order_list_for_user(request.user), request, view=self)
        lang = language_from_request(request)
        data = [order_output(o, lang, include_contact=True) for o in page or []]
        return paginator.get_paginated_response(data)


class OrderDetailApi(APIView):
    """The signed-in owner's order."""

    @extend_schema(
        responses={200: OrderOutputSerializer, **error_responses(404)},
        operation_id="my_order_get",
    )
    def get(self, request: Request, number: str) -> Response:
        order = order_get_for_shopper(number=number, user=request.user)
        return Response(order_output(order, language_from_request(request), include_contact=True))


class GuestOrderLookupApi(APIView):
    """A guest follows an order by its number and the e-mail it was placed with."""

    # With the limit per order number (shop.orders.guest_access), keeps e-mails and
    # numbers from being guessed.
    throttle_classes = [ShopScopedRateThrottle]
    throttle_scope = "order_access"

    class InputSerializer(serializers.Serializer):
        number = serializers.CharField(max_length=NUMBER_MAX_LENGTH)
        email = serializers.EmailField(max_length=254)

    @extend_schema(
        request=InputSerializer,
        responses={200: OrderOutputSerializer, **error_responses(400, 404)},
        operation_id="guest_order_lookup",
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = order_get_for_shopper(user=request.user, **serializer.validated_data)
        return Response(order_output(order, language_from_request(request), include_contact=True))


class OrderCancelApi(APIView):
    """Cancel an order that is not paid yet; its stock is released at once."""

    throttle_classes = [ShopScopedRateThrottle]
    throttle_scope = "order_access"

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254, required=False)

    @extend_schema(
        request=InputSerializer,
        responses={200: OrderOutputSerializer, **error_responses(400, 404, 409)},
        operation_id="order_cancel",
    )
    def post(self, request: Request, number: str) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = order_get_for_shopper(
            number=number, user=request.user, email=serializer.validated_data.get("email", "")
        )
        order_cancel_unpaid(order=order, user=request.user, reason="cancelled by the shopper")
        order = order_reload(order)
        return Response(order_output(order, language_from_request(request), include_contact=True))
