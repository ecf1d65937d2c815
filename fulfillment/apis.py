"""Shopper API: follow the parcels of an order, and ask for a return.

Access: the signed-in owner of the order, or anybody giving the order's e-mail
(``?email=`` on reads, ``email`` in the body on writes), like the order pages.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fulfillment.models import ReturnRequest
from fulfillment.returns import return_request_create
from fulfillment.selectors import order_returns, order_tracking
from fulfillment.services import order_tracking_refresh
from shop.core.i18n import language_from_request
from shop.core.schema import error_responses
from shop.core.throttling import ShopScopedRateThrottle
from shop.core.validation import ID_MAX
from shop.orders.selectors import order_get_for_shopper

_EMAIL = OpenApiParameter("email", str, description="The order's e-mail, for guests.")
_ERRORS = error_responses(400, 404, 409)


class TrackingEventOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    location = serializers.CharField()
    description = serializers.CharField()


class ParcelItemOutputSerializer(serializers.Serializer):
    sku = serializers.CharField()
    quantity = serializers.IntegerField()


class ParcelOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    carrier = serializers.CharField()
    waybill_number = serializers.CharField()
    shipped_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    items = ParcelItemOutputSerializer(many=True)
    events = TrackingEventOutputSerializer(many=True)


class ReturnLineOutputSerializer(serializers.Serializer):
    line_id = serializers.IntegerField(source="order_line_id")
    sku = serializers.CharField(source="order_line.sku")
    quantity = serializers.IntegerField()
    condition = serializers.CharField()


class ReturnOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.CharField(source="order.number")
    status = serializers.CharField()
    reason = serializers.CharField()
    staff_note = serializers.CharField()
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    received_at = serializers.DateTimeField(allow_null=True)
    refund_id = serializers.IntegerField(allow_null=True)
    lines = ReturnLineOutputSerializer(many=True)


def return_output(return_request: ReturnRequest) -> dict[str, Any]:
    return ReturnOutputSerializer(return_request).data


class OrderTrackingApi(APIView):
    # Guests give an e-mail: the rate per client, with the limit per order number
    # (shop.orders.guest_access), keeps it from being guessed.
    throttle_classes = [ShopScopedRateThrottle]
    throttle_scope = "order_access"

    class OutputSerializer(serializers.Serializer):
        order = serializers.CharField()
        status = serializers.CharField()
        parcels = ParcelOutputSerializer(many=True)

    @extend_schema(
        parameters=[_EMAIL],
        responses={200: OutputSerializer, **error_responses(404)},
        operation_id="order_tracking",
    )
    def get(self, request: Request, number: str) -> Response:
        order = order_get_for_shopper(
            number=number, user=request.user, email=request.query_params.get("email", "")
        )
        order_tracking_refresh(order)
        order.refresh_from_db(fields=["status"])
        body = {
            "order": order.number,
            "status": order.status,
            "parcels": order_tracking(order, language_from_request(request)),
        }
        return Response(self.OutputSerializer(body).data)


class OrderReturnListCreateApi(APIView):
    throttle_classes = [ShopScopedRateThrottle]
    throttle_scope = "order_access"

    class InputSerializer(serializers.Serializer):
        class LineSerializer(serializers.Serializer):
            line_id = serializers.IntegerField(max_value=ID_MAX)
            quantity = serializers.IntegerField(min_value=1, max_value=1000)

        email = serializers.EmailField(max_length=254, required=False)
        reason = serializers.CharField(max_length=500, allow_blank=True, required=False)
        lines = LineSerializer(many=True, allow_empty=False, max_length=100)  # type: ignore[call-arg]

    @extend_schema(
        parameters=[_EMAIL],
        responses={200: ReturnOutputSerializer(many=True), **error_responses(404)},
        operation_id="order_return_list",
    )
    def get(self, request: Request, number: str) -> Response:
        order = order_get_for_shopper(
            number=number, user=request.user, email=request.query_params.get("email", "")
        )
        return Response(ReturnOutputSerializer(order_returns(order), many=True).data)

    @extend_schema(
        request=InputSerializer,
        responses={201: ReturnOutputSerializer, **_ERRORS},
        operation_id="order_return_create",
    )
    def post(self, request: Request, number: str) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        order = order_get_for_shopper(number=number, user=request.user, email=data.get("email", ""))
        return_request = return_request_create(
            order=order, lines=data["lines"], reason=data.get("reason", ""), user=request.user
        )
        return Response(return_output(return_request), status=201)
