"""Staff inventory API: warehouses, stock levels, receipts, adjustments, counts,
transfers and movement history (the CSV files are in :mod:`catalog.csv.staff_apis`). Who
may change what is decided in catalog.permissions."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.errors import WarehouseNotYours
from catalog.models import ProductVariant, Stock, StockMovement, Warehouse
from catalog.permissions import (
    movements_visible_to,
    stocks_visible_to,
    warehouse_manage_check,
    warehouses_visible_to,
)
from catalog.stock.selectors import stock_with_available
from catalog.stock.services import (
    stock_adjust,
    stock_count,
    stock_low_threshold_set,
    stock_receive,
    stock_transfer,
)
from shop.core.errors import InvalidInput, NotFound
from shop.core.pagination import PagePagination
from shop.core.permissions import IsStaff
from shop.core.schema import error_responses, page_of
from shop.core.validation import INTEGER_MAX

# Output


class WarehouseOutputSerializer(serializers.ModelSerializer):
    partner: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )

    class Meta:
        model = Warehouse
        fields = ["id", "code", "name_zh", "name_en", "partner", "city", "is_active"]


class StockOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    warehouse = serializers.CharField(source="warehouse.code")
    partner = serializers.CharField(source="warehouse.partner.code")
    sku = serializers.CharField(source="variant.sku")
    product_slug = serializers.CharField(source="variant.product.slug")
    product_name_zh = serializers.CharField(source="variant.product.name_zh")
    product_name_en = serializers.CharField(source="variant.product.name_en")
    quantity = serializers.IntegerField()
    quantity_reserved = serializers.IntegerField()
    quantity_available = serializers.IntegerField()
    low_stock_threshold = serializers.IntegerField()
    is_low = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField()

    def get_is_low(self, stock: Stock) -> bool:
        return stock.quantity_available <= stock.low_stock_threshold


class MovementOutputSerializer(serializers.ModelSerializer):
    created_by = serializers.SerializerMethodField()

    class Meta:
        model = StockMovement
        fields = [
            "id",
            "reason",
            "quantity_delta",
            "quantity_after",
            "reference",
            "note",
            "created_by",
            "created_at",
        ]

    def get_created_by(self, movement: StockMovement) -> str | None:
        return movement.created_by.email if movement.created_by else None


def _movement_out(movement: StockMovement) -> dict[str, Any]:
    return MovementOutputSerializer(movement).data


def _stock_out(stock: Stock) -> dict[str, Any]:
    stock = stock_with_available().get(pk=stock.pk)
    return StockOutputSerializer(stock).data


# Lookups


def _stock_get(stock_id: int) -> Stock:
    stock = Stock.objects.select_related("warehouse", "variant").filter(pk=stock_id).first()
    if stock is None:
        raise NotFound(_("No such stock record."), code="stock_not_found")
    return stock


def _warehouse_by_code(code: str, field: str) -> Warehouse:
    warehouse = Warehouse.objects.filter(code=code).first()
    if warehouse is None:
        raise InvalidInput(fields={field: [_("No warehouse '%(code)s'.") % {"code": code}]})
    return warehouse


def _variant_by_sku(sku: str) -> ProductVariant:
    variant = ProductVariant.objects.filter(sku=sku).first()
    if variant is None:
        raise InvalidInput(fields={"sku": [_("No variant '%(sku)s'.") % {"sku": sku}]})
    return variant


_ERRORS = error_responses(400, 403, 404)
_CHANGE_ERRORS = error_responses(400, 403, 404, 409)


# Reads


class WarehouseListApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        responses={200: WarehouseOutputSerializer(many=True), **error_responses(403)},
        operation_id="staff_warehouse_list",
    )
    def get(self, request: Request) -> Response:
        warehouses = warehouses_visible_to(
            request.user, Warehouse.objects.select_related("partner")
        )
        return Response(WarehouseOutputSerializer(warehouses, many=True).data)


class StockListApi(APIView):
    permission_classes = [IsStaff]

    class FilterSerializer(serializers.Serializer):
        warehouse = serializers.CharField(required=False)
        sku = serializers.CharField(required=False)
        low = serializers.BooleanField(required=False, default=False)

    @extend_schema(
        parameters=[FilterSerializer],
        responses={200: page_of("StaffStockPage", StockOutputSerializer), **_ERRORS},
        operation_id="staff_stock_list",
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        queryset = stocks_visible_to(request.user, stock_with_available())
        if "warehouse" in filters.validated_data:
            queryset = queryset.filter(warehouse__code=filters.validated_data["warehouse"])
        if "sku" in filters.validated_data:
            queryset = queryset.filter(variant__sku__iexact=filters.validated_data["sku"])
        if filters.validated_data["low"]:
            queryset = queryset.filter(Q(available__lte=F("low_stock_threshold")))
        queryset = queryset.order_by("warehouse__code", "variant__sku")
        paginator = PagePagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(StockOutputSerializer(page, many=True).data)


class StockMovementListApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        responses={200: page_of("StaffStockMovementPage", MovementOutputSerializer), **_ERRORS},
        operation_id="staff_stock_movement_list",
    )
    def get(self, request: Request, stock_id: int) -> Response:
        stock = _stock_get(stock_id)
        if not stocks_visible_to(request.user, Stock.objects.filter(pk=stock.pk)).exists():
            raise WarehouseNotYours(_("This stock is in another partner's warehouse."))
        movements = movements_visible_to(
            request.user, StockMovement.objects.filter(stock=stock).select_related("created_by")
        )
        paginator = PagePagination()
        page = paginator.paginate_queryset(movements, request, view=self)
        return paginator.get_paginated_response(MovementOutputSerializer(page, many=True).data)


# Changes


class StockReceiveApi(APIView):
    permission_classes = [IsStaff]

    class InputSerializer(serializers.Serializer):
        sku = serializers.CharField(max_length=64)
        warehouse = serializers.CharField(max_length=40)
        quantity = serializers.IntegerField(max_value=INTEGER_MAX)
        batch_reference = serializers.CharField(max_length=100)
        note = serializers.CharField(max_length=500, required=False, default="")

    @extend_schema(
        request=InputSerializer,
        responses={201: MovementOutputSerializer, **_CHANGE_ERRORS},
        operation_id="staff_stock_receive",
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        warehouse = _warehouse_by_code(data["warehouse"], "warehouse")
        warehouse_manage_check(request.user, warehouse)
        movement = stock_receive(
            variant=_variant_by_sku(data["sku"]),
            warehouse=warehouse,
            quantity=data["quantity"],
            batch_reference=data["batch_reference"],
            note=data["note"],
            user=request.user,
        )
        return Response(_movement_out(movement), status=201)


class StockAdjustApi(APIView):
    permission_classes = [IsStaff]

    class InputSerializer(serializers.Serializer):
        delta = serializers.IntegerField(min_value=-INTEGER_MAX, max_value=INTEGER_MAX)
        note = serializers.CharField(max_length=500)

    @extend_schema(
        request=InputSerializer,
        responses={201: MovementOutputSerializer, **_CHANGE_ERRORS},
        operation_id="staff_stock_adjust",
    )
    def post(self, request: Request, stock_id: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        stock = _stock_get(stock_id)
        warehouse_manage_check(request.user, stock.warehouse)
        movement = stock_adjust(stock=stock, user=request.user, **serializer.validated_data)
        return Response(_movement_out(movement), status=201)


class StockCountApi(APIView):
    permission_classes = [IsStaff]

    class InputSerializer(serializers.Serializer):
        counted_quantity = serializers.IntegerField(max_value=INTEGER_MAX)
        note = serializers.CharField(max_length=500, required=False, default="")

    @extend_schema(
        request=InputSerializer,
        responses={200: StockOutputSerializer, **_CHANGE_ERRORS},
        operation_id="staff_stock_count",
        description="Sets units on hand to the counted value; a matching count changes nothing.",
    )
    def post(self, request: Request, stock_id: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        stock = _stock_get(stock_id)
        warehouse_manage_check(request.user, stock.warehouse)
        stock_count(stock=stock, user=request.user, **serializer.validated_data)
        return Response(_stock_out(stock))


class StockLowThresholdApi(APIView):
    permission_classes = [IsStaff]

    class InputSerializer(serializers.Serializer):
        threshold = serializers.IntegerField(max_value=INTEGER_MAX)

    @extend_schema(
        request=InputSerializer,
        responses={200: StockOutputSerializer, **_ERRORS},
        operation_id="staff_stock_low_threshold_set",
    )
    def post(self, request: Request, stock_id: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        stock = _stock_get(stock_id)
        warehouse_manage_check(request.user, stock.warehouse)
        stock_low_threshold_set(
            stock=stock, threshold=serializer.validated_data["threshold"], user=request.user
        )
        return Response(_stock_out(stock))


class StockTransferApi(APIView):
    permission_classes = [IsStaff]

    class InputSerializer(serializers.Serializer):
        sku = serializers.CharField(max_length=64)
        from_warehouse = serializers.CharField(max_length=40)
        to_warehouse = serializers.CharField(max_length=40)
        quantity = serializers.IntegerField(max_value=INTEGER_MAX)
        reason = serializers.CharField(max_length=400, required=False, allow_blank=True)

    class OutputSerializer(serializers.Serializer):
        reference = serializers.CharField()
        movement_out = MovementOutputSerializer()
        movement_in = MovementOutputSerializer()

    @extend_schema(
        request=InputSerializer,
        responses={201: OutputSerializer, **_CHANGE_ERRORS},
        operation_id="staff_stock_transfer",
        description=(
            "The caller must manage the warehouse the units leave; they may go to any open "
            "warehouse, another partner's with a reason (both partners see the transfer)."
        ),
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        source = _warehouse_by_code(data["from_warehouse"], "from_warehouse")
        target = _warehouse_by_code(data["to_warehouse"], "to_warehouse")
        warehouse_manage_check(request.user, source)
        transfer = stock_transfer(
            variant=_variant_by_sku(data["sku"]),
            from_warehouse=source,
            to_warehouse=target,
            quantity=data["quantity"],
            user=request.user,
            reason=data.get("reason", ""),
        )
        return Response(self.OutputSerializer(transfer).data, status=201)
