"""Orders as staff see them, and how staff filter them."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from rest_framework import serializers

from shop.orders.models import Order, OrderEvent, OrderLine, OrderStatus


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
