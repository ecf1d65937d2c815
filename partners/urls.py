"""The partner API under /api/v1/partners/."""

from django.urls import path, register_converter

from partners import apis
from partners.reports import apis as report_apis


class StatementFormat:
    regex = "csv|xlsx|pdf"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(StatementFormat, "statement_format")

app_name = "partners"

urlpatterns = [
    path("reports/summary/", apis.ReportSummaryApi.as_view(), name="report-summary"),
    path("reports/compared/", report_apis.ReportComparedApi.as_view(), name="report-compared"),
    path("reports/inventory/", report_apis.ReportInventoryApi.as_view(), name="report-inventory"),
    path(
        "reports/payment-mismatches/",
        report_apis.ReportPaymentMismatchesApi.as_view(),
        name="report-payment-mismatches",
    ),
    path("reports/sales/", apis.ReportSalesApi.as_view(), name="report-sales"),
    path("reports/breakdown/", apis.ReportBreakdownApi.as_view(), name="report-breakdown"),
    path("reports/top-products/", apis.ReportTopProductsApi.as_view(), name="report-top-products"),
    path(
        "reports/fulfillment-times/",
        apis.ReportFulfillmentTimesApi.as_view(),
        name="report-fulfillment-times",
    ),
    path("ledger/", apis.LedgerEntryListApi.as_view(), name="ledger"),
    path("settlements/", apis.SettlementListApi.as_view(), name="settlements"),
    path(
        "settlements/<int:settlement_id>/",
        apis.SettlementDetailApi.as_view(),
        name="settlement-detail",
    ),
    path(
        "settlements/<int:settlement_id>/statement.<statement_format:fmt>",
        apis.SettlementStatementApi.as_view(),
        name="settlement-statement",
    ),
]
