"""Staff order API under /api/v1/staff/: find orders, see everything about one, refund, cancel.

Staff see and handle the orders of their partner (shop/orders/staff_selectors.py);
others get 403.
"""

from __future__ import annotations

from decimal import Decimal

import django_filters
from django.db.models import Q, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.core.errors import InvalidInput
from shop.core.pagination import PagePagination
from shop.core.permissions import IsStaff
from shop.core.schema import ErrorSerializer
from shop.core.validation import ID_MAX, INTEGER_MAX
from shop.orders.models import Order, OrderEvent, OrderLine, OrderStatus
from shop.orders.staff_selectors import order_get_for_staff, orders_for_staff
from shop.payments.models import Payment, Refund
from shop.payments.refunds import order_cancel, refund_create

_ERROR = ErrorSerializer


class OrderFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=OrderStatus.choices)
    channel = django_filters.CharFilter(field_name="channel__code")
    created_from = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_to = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    search = django_filters.CharFilter(method="filter_search", help_text="Number or e-mail.")

    class Meta:
        model = Order
        fields = ["status", "channel", "created_from", "created_to", "search"]

    def filter_search(self, queryset: QuerySet[Order], name: str, value: str) -> QuerySet[Order]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__iexact=value) | Q(email__iexact=value))


class StaffOrderSummarySerializer(serializers.ModelSerializer):
    channel = serializers.CharField(source="channel.code")

    class Meta:
        model = Order
        fields = [
            "number",
            "status",
            "channel",
            "email",
            "currency",
            "total",
            "amount_paid",
            "amount_refunded",
            "created_at",
            "paid_at",
            "expires_at",
        ]


class StaffOrderLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderLine
        fields = [
            "id",
            "sku",
            "product_name",
            "variant_name",
            "quantity",
            "quantity_refunded",
            "unit_price",
            "line_total",
            "currency",
            "personalisation",
        ]


class StaffOrderEventSerializer(serializers.ModelSerializer):
    user = serializers.EmailField(source="user.email", default=None, allow_null=True)

    class Meta:
        model = OrderEvent
        fields = ["id", "type", "from_status", "to_status", "data", "user", "created_at"]


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
            "currency",
            "reason",
            "status",
            "provider_reference",
            "lines",
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


class StaffOrderListApi(APIView):
    permission_classes = [IsStaff]
    pagination_class = PagePagination  # so the schema shows the page, not a bare list

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, many=True),
            OpenApiParameter("channel", str, description="Channel code."),
            OpenApiParameter("created_from", str, description="ISO date-time, inclusive."),
            OpenApiParameter("created_to", str, description="ISO date-time, exclusive."),
            OpenApiParameter("search", str, description="Order number or e-mail."),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses={200: StaffOrderSummarySerializer(many=True), 400: _ERROR, 403: _ERROR},
        operation_id="staff_order_list",
    )
    def get(self, request: Request) -> Response:
        filterset = OrderFilter(request.query_params, queryset=orders_for_staff(request.user))
        if not filterset.is_valid():
            raise InvalidInput(fields={k: [str(m) for m in v] for k, v in filterset.errors.items()})
        paginator = PagePagination()
        page = paginator.paginate_queryset(filterset.qs, request, view=self)
        return paginator.get_paginated_response(StaffOrderSummarySerializer(page, many=True).data)


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
            max_digits=12, decimal_places=2, min_value=Decimal("0.01")
        )
        reason = serializers.CharField(max_length=255, allow_blank=True, default="")
        lines = StaffRefundLineSerializer(many=True, required=False)

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
    )
    def post(self, request: Request, number: str) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        order = order_get_for_staff(user=request.user, number=number, to_change=True)
        refund = refund_create(
            order=order,
            amount=data["amount"],
            reason=data["reason"],
            user=request.user,
            lines=[dict(line) for line in data.get("lines", [])],
        )
        return Response(StaffRefundSerializer(refund).data, status=201)


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
