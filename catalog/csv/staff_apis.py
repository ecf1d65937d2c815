"""Staff API for CSV files: stock and products exported, and imported all or nothing.
Who may change what is decided in catalog.permissions."""

from __future__ import annotations

import json
from typing import Any

from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.csv.imports import csv_import_is_large, csv_import_progress, csv_import_queue
from catalog.csv.jobs import CsvImport, CsvImportKind
from catalog.csv.products import products_csv, products_import
from catalog.csv.stock import stock_import, stocks_csv
from catalog.errors import CsvImportNotFound, WarehouseNotYours
from catalog.models import Stock
from catalog.permissions import (
    catalog_edit_check,
    stocks_visible_to,
)
from shop.core.permissions import IsStaff, user_partner_id
from shop.core.schema import error_responses

_CHANGE_ERRORS = error_responses(400, 403, 404, 409)


# CSV files


class CsvRenderer(BaseRenderer):
    """Lets clients ask for text/csv; errors on these endpoints still carry a JSON body."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None):
        return json.dumps(data).encode()


def _csv_response(lines: Any, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


_UPLOAD = {
    "multipart/form-data": inline_serializer(
        name="StaffCsvUpload", fields={"file": serializers.FileField()}
    )
}
_CSV = OpenApiTypes.STR


class StockExportApi(APIView):
    permission_classes = [IsStaff]
    renderer_classes = [JSONRenderer, CsvRenderer]

    @extend_schema(
        responses={(200, "text/csv"): _CSV, **error_responses(403)},
        operation_id="staff_stock_export_csv",
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        stocks = stocks_visible_to(request.user, Stock.objects.all())
        return _csv_response(stocks_csv(stocks), "stock.csv")


class ProductExportApi(APIView):
    permission_classes = [IsStaff]
    renderer_classes = [JSONRenderer, CsvRenderer]

    @extend_schema(
        responses={(200, "text/csv"): _CSV, **error_responses(403)},
        operation_id="staff_product_export_csv",
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        return _csv_response(products_csv(), "products.csv")


class ProductImportApi(APIView):
    permission_classes = [IsStaff]
    parser_classes = [MultiPartParser, FormParser]

    class OutputSerializer(serializers.Serializer):
        products_created = serializers.IntegerField()
        products_updated = serializers.IntegerField()
        variants_created = serializers.IntegerField()
        variants_updated = serializers.IntegerField()

    @extend_schema(
        request=_UPLOAD,
        responses={200: OutputSerializer, 202: OpenApiTypes.OBJECT, **_CHANGE_ERRORS},
        operation_id="staff_product_import_csv",
        description=(
            "Creates or updates products and variants by slug and SKU, in the columns the "
            "export writes. A file with any bad row is refused whole, listing each row. "
            "A file of more lines than SHOP_CSV_IMPORT_INLINE_ROWS is imported by a task: "
            "202 with the import to follow at /api/v1/staff/imports/<id>/."
        ),
    )
    def post(self, request: Request) -> Response:
        catalog_edit_check(request.user)
        queued = _queued_if_large(request, CsvImportKind.PRODUCTS)
        if queued is not None:
            return queued
        result = products_import(upload=request.FILES.get("file"), user=request.user)
        return Response(self.OutputSerializer(result).data)


class StockImportApi(APIView):
    permission_classes = [IsStaff]
    parser_classes = [MultiPartParser, FormParser]

    class OutputSerializer(serializers.Serializer):
        receipts = serializers.IntegerField()
        counts = serializers.IntegerField()
        unchanged = serializers.IntegerField()

    @extend_schema(
        request=_UPLOAD,
        responses={200: OutputSerializer, 202: OpenApiTypes.OBJECT, **_CHANGE_ERRORS},
        operation_id="staff_stock_import_csv",
        description=(
            "Columns: action (receipt or count), warehouse, sku, quantity, batch_reference, "
            "note. Rows apply in order, all or nothing. A file of more lines than "
            "SHOP_CSV_IMPORT_INLINE_ROWS is imported by a task: 202 with the import to "
            "follow at /api/v1/staff/imports/<id>/."
        ),
    )
    def post(self, request: Request) -> Response:
        user = request.user
        if not user.is_superuser and user_partner_id(user) is None:
            raise WarehouseNotYours(
                _("Staff who do not belong to a partner can view stock but not change it.")
            )
        queued = _queued_if_large(request, CsvImportKind.STOCK)
        if queued is not None:
            return queued
        result = stock_import(upload=request.FILES.get("file"), user=user)
        return Response(self.OutputSerializer(result).data)


# Imports run by a task


class CsvImportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    rows_done = serializers.IntegerField()
    rows_total = serializers.IntegerField()
    result = serializers.DictField()
    # Why a refused file was refused: the error shape, with the rows at fault.
    refusal = serializers.DictField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    url = serializers.CharField()


def csv_import_body(job: CsvImport) -> dict[str, Any]:
    done, total = csv_import_progress(job)
    return CsvImportSerializer(
        {
            "id": job.pk,
            "kind": job.kind,
            "status": job.status,
            "rows_done": done,
            "rows_total": total,
            "result": job.result,
            "refusal": job.errors,
            "created_at": job.created_at,
            "finished_at": job.finished_at,
            "url": f"/api/v1/staff/imports/{job.pk}/",
        }
    ).data


def _queued_if_large(request: Request, kind: str) -> Response | None:
    """A large file kept and queued (202 with the import), or None to import it here."""
    upload = request.FILES.get("file")
    if upload is None:
        return None
    raw = upload.read()
    upload.seek(0)
    if not csv_import_is_large(raw):
        return None
    job = csv_import_queue(kind=kind, raw=raw, filename=upload.name or "", user=request.user)
    return Response(csv_import_body(job), status=202)


class CsvImportApi(APIView):
    """An import run by a task: its status and progress, to its author (or a superuser)."""

    permission_classes = [IsStaff]

    @extend_schema(
        responses={200: CsvImportSerializer, **error_responses(403, 404)},
        operation_id="staff_csv_import_get",
    )
    def get(self, request: Request, import_id: int) -> Response:
        jobs = CsvImport.objects.all()
        if not request.user.is_superuser:
            jobs = jobs.filter(created_by_id=request.user.pk)
        job = jobs.filter(pk=import_id).first()
        if job is None:
            raise CsvImportNotFound()
        return Response(csv_import_body(job))
