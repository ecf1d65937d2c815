"""The partner API: sales reports, the partner's own ledger and settlements, statements.

A partner user sees its own partner's figures only; a superuser names a partner
with ``?partner=<code>``. Nothing here returns shoppers' names, addresses or contacts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpResponseBase
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import Collection
from partners.errors import ReportFilterInvalid
from partners.models import LedgerEntry, Partner
from partners.reports import selectors as reports
from partners.reports.selectors import ReportFilters
from partners.selectors import partner_for_user
from partners.settlements.statement_files import FORMATS
from partners.settlements.statements import (
    settlement_get,
    settlement_list,
    settlement_statement_get,
)
from partners.settlements.stored_statements import statement_response
from shop.channels.models import SalesChannel
from shop.core.i18n import language_from_request
from shop.core.pagination import PagePagination
from shop.core.permissions import IsPartnerUser
from shop.core.replica import replica_reads
from shop.core.schema import ErrorSerializer


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2025-01"})
class MonthField(serializers.DateField):
    """A settlement month as ``YYYY-MM`` (a date field would be documented as a full date)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m", **kwargs)


ERRORS = {
    400: OpenApiResponse(
        ErrorSerializer, description="Bad filters or a superuser without ?partner="
    ),
    403: OpenApiResponse(ErrorSerializer, description="Not signed in, or not a partner user"),
    404: OpenApiResponse(ErrorSerializer, description="A superuser named an unknown partner"),
}
PARTNER_PARAM = OpenApiParameter("partner", str, description="Superusers only: the partner's code.")
MAX_DAYS = 3 * 366


class FiltersSerializer(serializers.Serializer):
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    channel = serializers.SlugField(required=False)
    collection = serializers.SlugField(required=False)


def _partner(request: Request) -> Partner:
    return partner_for_user(request.user, request.query_params.get("partner"))


def report_filters(partner: Partner, params: Any) -> ReportFilters:
    """Validated filters; by default the month to date in the partner's timezone."""
    serializer = FiltersSerializer(data=params)
    if not serializer.is_valid():
        raise ReportFilterInvalid(
            fields={k: [str(m) for m in v] for k, v in serializer.errors.items()}
        )
    data = serializer.validated_data
    today = dt.datetime.now(partner.zone).date()
    date_to = data.get("date_to") or today
    date_from = data.get("date_from") or date_to.replace(day=1)
    if date_from > date_to:
        raise ReportFilterInvalid(fields={"date_from": [_("Must not be after date_to.")]})
    if (date_to - date_from).days > MAX_DAYS:
        raise ReportFilterInvalid(fields={"date_from": [_("At most three years at a time.")]})
    channel_id = collection_id = None
    if "channel" in data:
        channel_id = (
            SalesChannel.objects.filter(code=data["channel"]).values_list("pk", flat=True).first()
        )
        if channel_id is None:
            raise ReportFilterInvalid(fields={"channel": [_("No such channel.")]})
    if "collection" in data:
        collection_id = (
            Collection.objects.filter(slug=data["collection"]).values_list("pk", flat=True).first()
        )
        if collection_id is None:
            raise ReportFilterInvalid(fields={"collection": [_("No such collection.")]})
    return ReportFilters(date_from, date_to, channel_id, collection_id)


FILTER_PARAMS = [
    PARTNER_PARAM,
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="Default: first of the month"),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="Default: today"),
    OpenApiParameter("channel", str, description="A channel code"),
    OpenApiParameter("collection", str, description="A collection slug"),
]


class FiguresSerializer(serializers.Serializer):
    units = serializers.IntegerField()
    units_refunded = serializers.IntegerField()
    gross = serializers.DecimalField(max_digits=14, decimal_places=2)
    refunds = serializers.DecimalField(max_digits=14, decimal_places=2)
    net = serializers.DecimalField(max_digits=14, decimal_places=2)
    own_share = serializers.DecimalField(max_digits=14, decimal_places=2)


class ReportSummaryApi(APIView):
    permission_classes = [IsPartnerUser]

    class OutputSerializer(FiguresSerializer):
        partner = serializers.CharField()
        date_from = serializers.DateField()
        date_to = serializers.DateField()

    @extend_schema(
        operation_id="partner_report_summary",
        parameters=FILTER_PARAMS,
        responses={200: OutputSerializer, **ERRORS},
    )
    @replica_reads()
    def get(self, request: Request) -> Response:
        partner = _partner(request)
        filters = report_filters(partner, request.query_params)
        figures = reports.report_summary(partner=partner, filters=filters)
        body = {
            "partner": partner.code,
            "date_from": filters.date_from,
            "date_to": filters.date_to,
            **figures,
        }
        return Response(self.OutputSerializer(body).data)


class ReportSalesApi(APIView):
    permission_classes = [IsPartnerUser]

    class OutputSerializer(FiguresSerializer):
        period = serializers.DateField()

    @extend_schema(
        operation_id="partner_report_sales",
        parameters=[
            *FILTER_PARAMS,
            OpenApiParameter("interval", str, enum=list(reports.INTERVALS), description="day"),
        ],
        responses={200: OutputSerializer(many=True), **ERRORS},
    )
    @replica_reads()
    def get(self, request: Request) -> Response:
        partner = _partner(request)
        filters = report_filters(partner, request.query_params)
        interval = request.query_params.get("interval", "day")
        if interval not in reports.INTERVALS:
            raise ReportFilterInvalid(fields={"interval": [_("One of day, week or month.")]})
        rows = reports.report_sales_series(partner=partner, filters=filters, interval=interval)
        return Response(self.OutputSerializer(rows, many=True).data)


class BreakdownRowSerializer(FiguresSerializer):
    id = serializers.IntegerField(allow_null=True)
    code = serializers.CharField()
    name = serializers.CharField()


class ReportBreakdownApi(APIView):
    permission_classes = [IsPartnerUser]

    @extend_schema(
        operation_id="partner_report_breakdown",
        parameters=[
            *FILTER_PARAMS,
            OpenApiParameter("by", str, enum=list(reports.DIMENSIONS), required=True),
            OpenApiParameter("lang", str, enum=["zh", "en"]),
        ],
        responses={200: BreakdownRowSerializer(many=True), **ERRORS},
    )
    @replica_reads()
    def get(self, request: Request) -> Response:
        partner = _partner(request)
        filters = report_filters(partner, request.query_params)
        by = request.query_params.get("by", "")
        if by not in reports.DIMENSIONS:
            raise ReportFilterInvalid(
                fields={"by": [_("One of channel, product, collection or warehouse.")]}
            )
        rows = reports.report_breakdown(
            partner=partner, filters=filters, by=by, lang=language_from_request(request)
        )
        return Response(BreakdownRowSerializer(rows, many=True).data)


class ReportTopProductsApi(APIView):
    permission_classes = [IsPartnerUser]

    @extend_schema(
        operation_id="partner_report_top_products",
        parameters=[*FILTER_PARAMS, OpenApiParameter("limit", int, description="1..50, 10")],
        responses={200: BreakdownRowSerializer(many=True), **ERRORS},
    )
    @replica_reads()
    def get(self, request: Request) -> Response:
        partner = _partner(request)
        filters = report_filters(partner, request.query_params)
        try:
            limit = int(request.query_params.get("limit", 10))
        except ValueError:
            limit = 0
        if not 1 <= limit <= 50:
            raise ReportFilterInvalid(fields={"limit": [_("A whole number from 1 to 50.")]})
        rows = reports.report_top_products(
            partner=partner, filters=filters, lang=language_from_request(request), limit=limit
        )
        return Response(BreakdownRowSerializer(rows, many=True).data)


class ReportFulfillmentTimesApi(APIView):
    permission_classes = [IsPartnerUser]

    class OutputSerializer(serializers.Serializer):
        orders_paid = serializers.IntegerField()
        orders_shipped = serializers.IntegerField()
        average_hours = serializers.DecimalField(max_digits=10, decimal_places=1, allow_null=True)
        median_hours = serializers.DecimalField(max_digits=10, decimal_places=1, allow_null=True)
        p90_hours = serializers.DecimalField(max_digits=10, decimal_places=1, allow_null=True)

    @extend_schema(
        operation_id="partner_report_fulfillment_times",
        parameters=FILTER_PARAMS,
        responses={200: OutputSerializer, **ERRORS},
    )
    @replica_reads()
    def get(self, request: Request) -> Response:
        partner = _partner(request)
        filters = report_filters(partner, request.query_params)
        result = reports.report_fulfillment_times(partner=partner, filters=filters)
        return Response(self.OutputSerializer(result).data)


class LedgerEntryListApi(APIView):
    permission_classes = [IsPartnerUser]
    pagination_class = PagePagination  # so the schema shows the page, not a bare list

    class OutputSerializer(serializers.ModelSerializer):
        order_number = serializers.CharField(source="order.number", allow_null=True)
        channel = serializers.CharField(source="channel.code")
        period = MonthField()

        class Meta:
            model = LedgerEntry
            fields = [
                "id",
                "kind",
                "reversed_kind",
                "role",
                "amount",
                "share_bp",
                "commission_rate",
                "order_number",
                "order_line_id",
                "channel",
                "product_id",
                "warehouse_id",
                "agreement_version_id",
                "period",
                "occurred_at",
            ]

    @extend_schema(
        operation_id="partner_ledger_list",
        parameters=[PARTNER_PARAM, OpenApiParameter("period", str, description="YYYY-MM")],
        responses={200: OutputSerializer(many=True), **ERRORS},
    )
    @replica_reads()
    def get(self, request: Request) -> Response:
        partner = _partner(request)
        entries = LedgerEntry.objects.filter(partner=partner).select_related("order", "channel")
        period = request.query_params.get("period")
        if period:
            try:
                entries = entries.filter(period=dt.datetime.strptime(period, "%Y-%m").date())
            except ValueError as exc:
                raise ReportFilterInvalid(fields={"period": [_("A month as YYYY-MM.")]}) from exc
        paginator = PagePagination()
        page = paginator.paginate_queryset(entries.order_by("-occurred_at", "-id"), request, self)
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)


class SettlementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    partner = serializers.CharField(source="partner.code")
    period = MonthField()
    status = serializers.CharField()
    closed_at = serializers.DateTimeField(allow_null=True)
    gross = serializers.DecimalField(max_digits=14, decimal_places=2)
    commissions = serializers.DecimalField(max_digits=14, decimal_places=2)
    refunds = serializers.DecimalField(max_digits=14, decimal_places=2)
    logistics_fees = serializers.DecimalField(max_digits=14, decimal_places=2)
    payment_fees = serializers.DecimalField(max_digits=14, decimal_places=2)
    net = serializers.DecimalField(max_digits=14, decimal_places=2)
    transfer_status = serializers.CharField()
    downloads = serializers.SerializerMethodField()

    def get_downloads(self, settlement: Any) -> dict[str, str]:
        return {
            fmt: f"/api/v1/partners/settlements/{settlement.pk}/statement.{fmt}" for fmt in FORMATS
        }


class SettlementListApi(APIView):
    permission_classes = [IsPartnerUser]

    @extend_schema(
        operation_id="partner_settlement_list",
        parameters=[PARTNER_PARAM],
        responses={200: SettlementSerializer(many=True), **ERRORS},
    )
    def get(self, request: Request) -> Response:
        settlements = settlement_list(partner=_partner(request))
        return Response(SettlementSerializer(settlements, many=True).data)


class SettlementDetailApi(APIView):
    """A settlement with its lines; an open one shows its figures so far."""

    permission_classes = [IsPartnerUser]

    class LineSerializer(serializers.Serializer):
        order_number = serializers.CharField()
        gross = serializers.DecimalField(max_digits=14, decimal_places=2)
        commissions = serializers.DecimalField(max_digits=14, decimal_places=2)
        refunds = serializers.DecimalField(max_digits=14, decimal_places=2)
        logistics_fees = serializers.DecimalField(max_digits=14, decimal_places=2)
        payment_fees = serializers.DecimalField(max_digits=14, decimal_places=2)
        net = serializers.DecimalField(max_digits=14, decimal_places=2)

    class OutputSerializer(SettlementSerializer):
        lines = serializers.ListField(child=serializers.DictField())

    @extend_schema(
        operation_id="partner_settlement_detail",
        parameters=[PARTNER_PARAM],
        responses={
            200: OutputSerializer,
            **ERRORS,
            404: OpenApiResponse(ErrorSerializer, description="Not yours, or no such partner"),
        },
    )
    def get(self, request: Request, settlement_id: int) -> Response:
        settlement = settlement_get(partner=_partner(request), settlement_id=settlement_id)
        statement = settlement_statement_get(settlement)
        for column in ("gross", "commissions", "refunds", "logistics_fees", "payment_fees", "net"):
            setattr(settlement, column, getattr(statement.totals, column))
        body = SettlementSerializer(settlement).data
        body["lines"] = self.LineSerializer(statement.lines, many=True).data
        return Response(body)


class SettlementStatementApi(APIView):
    permission_classes = [IsPartnerUser]

    @extend_schema(
        operation_id="partner_settlement_statement",
        parameters=[PARTNER_PARAM],
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (200, "text/csv"): OpenApiTypes.STR,
            **ERRORS,
            404: OpenApiResponse(ErrorSerializer, description="Not yours, or no such partner"),
        },
    )
    def get(self, request: Request, settlement_id: int, fmt: str) -> HttpResponseBase:
        settlement = settlement_get(partner=_partner(request), settlement_id=settlement_id)
        return statement_response(settlement, fmt)
