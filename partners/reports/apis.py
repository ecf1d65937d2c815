"""The partner API's dashboard figures: the period beside the month and year before
(orders, average order value, refund and return rates), and the partner's warehouses.

Same filters and partner rules as the other report endpoints (:mod:`partners.apis`).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from partners.apis import ERRORS, FILTER_PARAMS, FiguresSerializer, report_filters
from partners.reports.figures import report_comparison
from partners.reports.inventory import report_inventory, report_low_stock
from partners.reports.mismatches import report_payment_mismatches
from partners.selectors import partner_for_user
from shop.core.i18n import language_from_request
from shop.core.permissions import IsPartnerUser
from shop.core.replica import replica_reads


class ReportComparedApi(APIView):
    """The period ("current"), the same days a month ("previous") and a year before
    ("last_year"). Rates are in percent: refunds of gross sales, units refunded of
    units sold; null when there is nothing to divide by."""

    permission_classes = [IsPartnerUser]

    class OutputSerializer(FiguresSerializer):
        key = serializers.ChoiceField(choices=["current", "previous", "last_year"])
        date_from = serializers.DateField()
        date_to = serializers.DateField()
        orders = serializers.IntegerField()
        average_order_value = serializers.DecimalField(
            max_digits=14, decimal_places=2, allow_null=True
        )
        refund_rate = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)
        return_rate = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)

    @extend_schema(
        operation_id="partner_report_compared",
        parameters=FILTER_PARAMS,
        responses={200: OutputSerializer(many=True), **ERRORS},
    )
    @replica_reads()
    def get(self, request: Request) -> Response:
        partner = partner_for_user(request.user, request.query_params.get("partner"))
        filters = report_filters(partner, request.query_params)
        rows = report_comparison(partner=partner, filters=filters)
        return Response(self.OutputSerializer(rows, many=True).data)


class ReportInventoryApi(APIView):
    """The partner's warehouses now (units on hand, reserved, free, stocks running low)
    with the period's units sold and sell-through (percent), and the low stocks."""

    permission_classes = [IsPartnerUser]

    class WarehouseSerializer(serializers.Serializer):
        code = serializers.CharField()
        name = serializers.CharField()
        on_hand = serializers.IntegerField()
        reserved = serializers.IntegerField()
        free = serializers.IntegerField()
        low = serializers.IntegerField()
        sold = serializers.IntegerField()
        sell_through = serializers.DecimalField(max_digits=6, decimal_places=1, allow_null=True)

    class LowSerializer(serializers.Serializer):
        warehouse = serializers.CharField()
        sku = serializers.CharField()
        product = serializers.CharField()
        on_hand = serializers.IntegerField()
        reserved = serializers.IntegerField()
        free = serializers.IntegerField()
        threshold = serializers.IntegerField()

    class OutputSerializer(serializers.Serializer):
        warehouses = serializers.ListField()
        low_stock = serializers.ListField()

    @extend_schema(
        operation_id="partner_report_inventory",
        parameters=[*FILTER_PARAMS, OpenApiParameter("lang", str, enum=["zh", "en"])],
        responses={200: OutputSerializer, **ERRORS},
    )
    @replica_reads()
    def get(self, request: Request) -> Response:
        partner = partner_for_user(request.user, request.query_params.get("partner"))
        filters = report_filters(partner, request.query_params)
        lang = language_from_request(request)
        warehouses = report_inventory(partner=partner, filters=filters, lang=lang)
        low = report_low_stock(partner=partner, filters=filters, lang=lang)
        return Response(
            {
                "warehouses": self.WarehouseSerializer(warehouses, many=True).data,
                "low_stock": self.LowSerializer(low, many=True).data,
            }
        )


class ReportPaymentMismatchesApi(APIView):
    """Where the payment providers' daily bills and the shop disagree on the partner's
    own channels' payments and refunds (the daily reconciliation), per provider over
    the period's bill dates: how many lines are still open and the money they differ
    by (the bill's amount against the shop's); ``pending``: the shop's payments and
    refunds missing from a day's bill while the next day's bill is not reconciled yet
    (not mismatches, unless that bill lacks them too)."""

    permission_classes = [IsPartnerUser]

    class OutputSerializer(serializers.Serializer):
        provider = serializers.CharField()
        open = serializers.IntegerField()
        resolved = serializers.IntegerField()
        pending = serializers.IntegerField()
        difference = serializers.DecimalField(max_digits=14, decimal_places=2)

    @extend_schema(
        operation_id="partner_report_payment_mismatches",
        parameters=FILTER_PARAMS,
        responses={200: OutputSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        partner = partner_for_user(request.user, request.query_params.get("partner"))
        filters = report_filters(partner, request.query_params)
        rows = report_payment_mismatches(partner=partner, filters=filters)
        return Response(self.OutputSerializer(rows, many=True).data)
