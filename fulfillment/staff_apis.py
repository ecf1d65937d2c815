"""Staff fulfilment API, under /api/v1/staff/fulfillment/: the queue per warehouse, pick
lists, packing and shipping by hand, labels, and returns.

Partner staff see and handle only their partner's warehouses; superusers handle all;
staff without a partner see everything and change nothing.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.models import Warehouse
from fulfillment import returns, services
from fulfillment.apis import ReturnOutputSerializer, return_output
from fulfillment.errors import LabelNotAvailable
from fulfillment.labels import label_render
from fulfillment.models import ReturnCondition, ReturnStatus, Shipment, ShipmentStatus
from fulfillment.selectors import (
    return_get,
    return_list,
    shipment_get,
    shipment_list,
    shipment_manage_check,
    warehouse_pick_list,
)
from shop.core.errors import InvalidInput, NotFound
from shop.core.pagination import PagePagination
from shop.core.permissions import IsStaff, user_partner_id
from shop.core.schema import error_responses, page_of
from shop.core.validation import ID_MAX

_ERRORS = error_responses(400, 403, 404)
_CHANGE_ERRORS = error_responses(400, 403, 404, 409)


class ShipmentLineOutputSerializer(serializers.Serializer):
    line_id = serializers.IntegerField(source="order_line_id")
    sku = serializers.CharField(source="order_line.sku")
    product_name = serializers.CharField(source="order_line.product_name")
    personalisation = serializers.CharField(source="order_line.personalisation")
    quantity = serializers.IntegerField()


class ShipmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.CharField(source="order.number")
    warehouse = serializers.CharField(source="warehouse.code")
    partner = serializers.CharField(source="partner.code")
    carrier = serializers.CharField()
    status = serializers.CharField()
    waybill_number = serializers.CharField()
    booking_error = serializers.CharField()
    units = serializers.IntegerField(required=False)
    created_at = serializers.DateTimeField()
    packed_at = serializers.DateTimeField(allow_null=True)
    shipped_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)


class ShipmentDetailOutputSerializer(ShipmentOutputSerializer):
    class EventSerializer(serializers.Serializer):
        type = serializers.CharField()
        from_status = serializers.CharField()
        to_status = serializers.CharField()
        details = serializers.JSONField(source="data")
        created_at = serializers.DateTimeField()

    class TrackingSerializer(serializers.Serializer):
        code = serializers.CharField()
        occurred_at = serializers.DateTimeField()
        location = serializers.CharField()
        description_zh = serializers.CharField()
        description_en = serializers.CharField()

    shipping_address = serializers.JSONField(source="order.shipping_address")
    lines = ShipmentLineOutputSerializer(many=True)
    events = EventSerializer(many=True)
    tracking = TrackingSerializer(many=True)


def _shipment_out(user: Any, shipment_id: int) -> dict[str, Any]:
    return ShipmentDetailOutputSerializer(shipment_get(user=user, shipment_id=shipment_id)).data


def _shipment_for_change(request: Request, shipment_id: int) -> Shipment:
    shipment = shipment_get(user=request.user, shipment_id=shipment_id)
    shipment_manage_check(request.user, shipment)
    return shipment


# Shipments


class ShipmentListApi(APIView):
    permission_classes = [IsStaff]

    class FilterSerializer(serializers.Serializer):
        warehouse = serializers.CharField(required=False, max_length=40)
        status = serializers.ChoiceField(choices=ShipmentStatus.choices, required=False)
        open = serializers.BooleanField(required=False, default=False)

    @extend_schema(
        parameters=[FilterSerializer],
        responses={200: page_of("StaffShipmentPage", ShipmentOutputSerializer), **_ERRORS},
        operation_id="staff_shipment_list",
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        queryset = shipment_list(
            user=request.user,
            warehouse=data.get("warehouse", ""),
            status=data.get("status", ""),
            open_only=data["open"],
        )
        paginator = PagePagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(ShipmentOutputSerializer(page, many=True).data)


class ShipmentDetailApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        responses={200: ShipmentDetailOutputSerializer, **_ERRORS},
        operation_id="staff_shipment_detail",
    )
    def get(self, request: Request, shipment_id: int) -> Response:
        return Response(_shipment_out(request.user, shipment_id))


class ShipmentPackApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        request=None,
        responses={200: ShipmentDetailOutputSerializer, **_CHANGE_ERRORS},
        operation_id="staff_shipment_pack",
    )
    def post(self, request: Request, shipment_id: int) -> Response:
        shipment = _shipment_for_change(request, shipment_id)
        services.shipment_pack(shipment_id=shipment.pk, user=request.user)
        return Response(_shipment_out(request.user, shipment.pk))


class ShipmentShipApi(APIView):
    permission_classes = [IsStaff]

    class InputSerializer(serializers.Serializer):
        waybill_number = serializers.RegexField(
            r"^[A-Za-z0-9-]{4,64}$", required=False, allow_blank=True
        )

    @extend_schema(
        request=InputSerializer,
        responses={200: ShipmentDetailOutputSerializer, **_CHANGE_ERRORS},
        operation_id="staff_shipment_ship",
    )
    def post(self, request: Request, shipment_id: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        shipment = _shipment_for_change(request, shipment_id)
        services.shipment_ship(
            shipment_id=shipment.pk,
            user=request.user,
            waybill_number=serializer.validated_data.get("waybill_number", ""),
        )
        return Response(_shipment_out(request.user, shipment.pk))


class ShipmentDeliverApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        request=None,
        responses={200: ShipmentDetailOutputSerializer, **_CHANGE_ERRORS},
        operation_id="staff_shipment_deliver",
    )
    def post(self, request: Request, shipment_id: int) -> Response:
        shipment = _shipment_for_change(request, shipment_id)
        services.shipment_deliver(shipment_id=shipment.pk, user=request.user)
        return Response(_shipment_out(request.user, shipment.pk))


class ShipmentBookApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        request=None,
        responses={202: ShipmentDetailOutputSerializer, **_CHANGE_ERRORS},
        operation_id="staff_shipment_book",
    )
    def post(self, request: Request, shipment_id: int) -> Response:
        shipment = _shipment_for_change(request, shipment_id)
        services.shipment_booking_retry(shipment_id=shipment.pk, user=request.user)
        return Response(_shipment_out(request.user, shipment.pk), status=202)


class ShipmentLabelApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, **_CHANGE_ERRORS},
        operation_id="staff_shipment_label",
    )
    def get(self, request: Request, shipment_id: int) -> HttpResponse:
        shipment = shipment_get(user=request.user, shipment_id=shipment_id)
        if not shipment.waybill_number:
            raise LabelNotAvailable()
        pdf = bytes(shipment.label_pdf) or label_render(shipment, shipment.waybill_number)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="label-{shipment.waybill_number}.pdf"'
        return response


class WarehousePickListApi(APIView):
    permission_classes = [IsStaff]

    class OutputSerializer(serializers.Serializer):
        sku = serializers.CharField()
        product_name = serializers.CharField()
        variant_name = serializers.CharField()
        quantity = serializers.IntegerField()
        shipments = serializers.ListField(child=serializers.IntegerField())
        personalisations = serializers.ListField(child=serializers.DictField())

    @extend_schema(
        responses={200: OutputSerializer(many=True), **_ERRORS},
        operation_id="staff_warehouse_pick_list",
    )
    def get(self, request: Request, code: str) -> Response:
        warehouse = Warehouse.objects.filter(code=code).first()
        if warehouse is None:
            raise NotFound(_("No such warehouse."), code="warehouse_not_found")
        partner_id = None if request.user.is_superuser else user_partner_id(request.user)
        if partner_id is not None and partner_id != warehouse.partner_id:
            raise NotFound(_("No such warehouse."), code="warehouse_not_found")
        picks = warehouse_pick_list(warehouse=warehouse)
        return Response(self.OutputSerializer(picks, many=True).data)


# Returns


class ReturnListApi(APIView):
    permission_classes = [IsStaff]

    class FilterSerializer(serializers.Serializer):
        status = serializers.ChoiceField(choices=ReturnStatus.choices, required=False)

    @extend_schema(
        parameters=[FilterSerializer],
        responses={200: page_of("StaffReturnPage", ReturnOutputSerializer), **_ERRORS},
        operation_id="staff_return_list",
    )
    def get(self, request: Request) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        queryset = return_list(user=request.user, status=filters.validated_data.get("status", ""))
        paginator = PagePagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(ReturnOutputSerializer(page, many=True).data)


class ReturnDetailApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        responses={200: ReturnOutputSerializer, **_ERRORS}, operation_id="staff_return_detail"
    )
    def get(self, request: Request, return_id: int) -> Response:
        return Response(return_output(return_get(user=request.user, return_id=return_id)))


class _ReturnDecideApi(APIView):
    permission_classes = [IsStaff]
    approve = True

    class InputSerializer(serializers.Serializer):
        note = serializers.CharField(max_length=500, allow_blank=True, required=False)

    def post(self, request: Request, return_id: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return_request = returns.return_decide(
            return_request=return_get(user=request.user, return_id=return_id),
            approve=self.approve,
            user=request.user,
            note=serializer.validated_data.get("note", ""),
        )
        return Response(return_output(return_get(user=request.user, return_id=return_request.pk)))


class ReturnApproveApi(_ReturnDecideApi):
    approve = True

    @extend_schema(
        request=_ReturnDecideApi.InputSerializer,
        responses={200: ReturnOutputSerializer, **_CHANGE_ERRORS},
        operation_id="staff_return_approve",
    )
    def post(self, request: Request, return_id: int) -> Response:
        return super().post(request, return_id)


class ReturnRejectApi(_ReturnDecideApi):
    approve = False

    @extend_schema(
        request=_ReturnDecideApi.InputSerializer,
        responses={200: ReturnOutputSerializer, **_CHANGE_ERRORS},
        operation_id="staff_return_reject",
    )
    def post(self, request: Request, return_id: int) -> Response:
        return super().post(request, return_id)


class ReturnReceiveApi(APIView):
    permission_classes = [IsStaff]

    class InputSerializer(serializers.Serializer):
        class LineSerializer(serializers.Serializer):
            line_id = serializers.IntegerField(max_value=ID_MAX)
            condition = serializers.ChoiceField(choices=ReturnCondition.choices)
            warehouse = serializers.CharField(max_length=40, required=False)

        lines = LineSerializer(many=True, allow_empty=False, max_length=100)  # type: ignore[call-arg]

    @extend_schema(
        request=InputSerializer,
        responses={200: ReturnOutputSerializer, **_CHANGE_ERRORS},
        operation_id="staff_return_receive",
    )
    def post(self, request: Request, return_id: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lines = []
        for item in serializer.validated_data["lines"]:
            warehouse = None
            if item.get("warehouse"):
                warehouse = Warehouse.objects.filter(code=item["warehouse"]).first()
                if warehouse is None:
                    raise InvalidInput(
                        fields={
                            "lines": [_("No warehouse '%(code)s'.") % {"code": item["warehouse"]}]
                        }
                    )
            lines.append({**item, "warehouse": warehouse})
        return_request = returns.return_receive(
            return_request=return_get(user=request.user, return_id=return_id),
            user=request.user,
            lines=lines,
        )
        return Response(return_output(return_get(user=request.user, return_id=return_request.pk)))


class ReturnRefundApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        request=None,
        responses={200: ReturnOutputSerializer, **_CHANGE_ERRORS},
        operation_id="staff_return_refund",
    )
    def post(self, request: Request, return_id: int) -> Response:
        return_request = returns.return_refund(
            return_request=return_get(user=request.user, return_id=return_id), user=request.user
        )
        return Response(return_output(return_get(user=request.user, return_id=return_request.pk)))
