"""Staff order API under /api/v1/staff/: everything about one order, its payments and
refunds included; refund it; cancel it (refunding what was paid).

Staff see and handle the orders of their partner (shop/orders/staff_selectors.py);
others get 403.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.core.errors import InvalidInput
from shop.core.permissions import IsStaff
from shop.core.schema import ErrorSerializer
from shop.core.validation import ID_MAX, INTEGER_MAX
from shop.orders.idempotency import request_fingerprint
from shop.orders.staff_selectors import order_get_for_staff
from shop.orders.staff_serializers import (
    StaffOrderEventSerializer,
    StaffOrderLineSerializer,
    StaffOrderSummarySerializer,
)
from shop.payments.models import Payment, Refund
from shop.payments.refunds import order_cancel, order_shipping_refundable, refund_create

_ERROR = ErrorSerializer


class StaffPaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = [
            "id",
            "provider",
            "provider_reference",
            "status",
            "amount",
            "amount_refunded",
            "fee",
            "currency",
            "failure_code",
            "failure_message",
            "created_at",
            "succeeded_at",
        ]


class StaffRefundSerializer(serializers.ModelSerializer):
    created_by = serializers.EmailField(source="created_by.email", default=None)

    class Meta:
        model = Refund
        fields = [
            "id",
            "payment",
            "amount",
            "fee_returned",
            "currency",
            "reason",
            "status",
            "provider_reference",
            "lines",
            "shipping",
            "created_by",
            "created_at",
            "succeeded_at",
        ]


class StaffOrderDetailSerializer(StaffOrderSummarySerializer):
    lines = StaffOrderLineSerializer(many=True)
    events = StaffOrderEventSerializer(many=True)
    payments = StaffPaymentSerializer(many=True)
    refunds = StaffRefundSerializer(many=True)

    class Meta(StaffOrderSummarySerializer.Meta):
        fields = [
            *StaffOrderSummarySerializer.Meta.fields,
            "phone",
            "shipping_address",
            "shipping_method_name",
            "subtotal",
            "shipping_price",
            "discount",
            "voucher_code",
            "note",
            "lines",
            "events",
            "payments",
            "refunds",
        ]


class StaffRefundLineSerializer(serializers.Serializer):
    line_id = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    quantity = serializers.IntegerField(min_value=1, max_value=INTEGER_MAX)


class StaffOrderDetailApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        responses={200: StaffOrderDetailSerializer, 403: _ERROR, 404: _ERROR},
        operation_id="staff_order_detail",
    )
    def get(self, request: Request, number: str) -> Response:
        order = order_get_for_staff(user=request.user, number=number)
        return Response(StaffOrderDetailSerializer(order).data)


class StaffOrderRefundApi(APIView):
    permission_classes = [IsStaff]

    class InputSerializer(serializers.Serializer):
        amount = serializers.DecimalField(
            max_digits=12, decimal_places=2, min_value=Decimal("0.01"), required=False
        )
        reason = serializers.CharField(max_length=255, allow_blank=True, default="")
        lines = StaffRefundLineSerializer(many=True, required=False)
        shipping = serializers.BooleanField(
            default=False,
            help_text="Refund the shipping charge alone (no lines); without an amount, "
            "all of it that is left.",
        )

        def validate(self, data: dict) -> dict:
            if "amount" not in data and not data.get("shipping"):
                raise serializers.ValidationError({"amount": [_("This field is required.")]})
            return data

    @extend_schema(
        request=InputSerializer,
        responses={
            201: StaffRefundSerializer,
            400: _ERROR,
            403: _ERROR,
            404: _ERROR,
            409: _ERROR,
            502: _ERROR,
            503: _ERROR,
        },
        operation_id="staff_order_refund_create",
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="Up to 100 characters, one per refund meant: a retry of the "
                "same request with the same key answers 200 with the refund it made, any "
                "other request with it answers 409 idempotency_key_reused.",
            )
        ],
    )
    def post(self, request: Request, number: str) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        key = request.META.get("HTTP_IDEMPOTENCY_KEY", "").strip()
        if len(key) > 100:
            message = _("At most %(count)s characters.") % {"count": 100}
            raise InvalidInput(fields={"Idempotency-Key": [message]})
        order = order_get_for_staff(user=request.user, number=number, to_change=True)
        lines = [dict(line) for line in data.get("lines", [])]
        asked = {"order": order.pk, **data, "lines": lines}
        retried = bool(key) and order.refunds.filter(idempotency_key=key).exists()
        amount = data.get("amount")
        if amount is None:
            amount = order_shipping_refundable(order)
        refund = refund_create(
            order=order,
            amount=amount,
            reason=data["reason"],
            user=request.user,
            lines=lines,
            shipping=data["shipping"],
            idempotency_key=key,
            fingerprint=request_fingerprint(
                "staff_refund", request.user, {**asked, "lines": lines}
            ),
        )
        return Response(StaffRefundSerializer(refund).data, status=200 if retried else 201)


class StaffOrderCancelApi(APIView):
    permission_classes = [IsStaff]

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=255, allow_blank=True, default="")

    @extend_schema(
        request=InputSerializer,
        responses={
            200: StaffOrderDetailSerializer,
            400: _ERROR,
            403: _ERROR,
            404: _ERROR,
            409: _ERROR,
        },
        operation_id="staff_order_cancel",
    )
    def post(self, request: Request, number: str) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = order_get_for_staff(user=request.user, number=number, to_change=True)
        order_cancel(order=order, user=request.user, reason=serializer.validated_data["reason"])
        order = order_get_for_staff(user=request.user, number=number)
        return Response(StaffOrderDetailSerializer(order).data)
