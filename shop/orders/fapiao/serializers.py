"""A fapiao request as the API takes it (with an order, or after) and shows it."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from shop.orders.fapiao.models import FapiaoStatus, FapiaoTitleType
from shop.orders.fapiao.services import FapiaoTitle


class FapiaoInputSerializer(serializers.Serializer):
    """An electronic fapiao asked for with the order: a personal one names the person, a
    company one the company and its taxpayer number (18-character unified social credit
    code, or a 15- or 20-character number of before)."""

    title_type = serializers.ChoiceField(choices=FapiaoTitleType.choices)
    title = serializers.CharField(max_length=100)
    tax_number = serializers.CharField(max_length=24, required=False, allow_blank=True, default="")

    @staticmethod
    def title_of(data: dict[str, Any]) -> FapiaoTitle:
        return FapiaoTitle(data["title_type"], data["title"], data.get("tax_number", ""))


class FapiaoOutputSerializer(serializers.Serializer):
    order = serializers.CharField(source="order.number")
    title_type = serializers.ChoiceField(choices=FapiaoTitleType.choices)
    title = serializers.CharField()
    tax_number = serializers.CharField()
    status = serializers.ChoiceField(choices=FapiaoStatus.choices)
    requested_at = serializers.DateTimeField(source="created_at")
    fapiao_number = serializers.CharField()
    issued_at = serializers.DateTimeField(allow_null=True)
    file_name = serializers.CharField()
