"""Fapiao for the shopper (ask for one on an order, see it, download it) and for staff
(the requests waiting, issuing one with its file)."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.core.pagination import PagePagination
from shop.core.permissions import IsStaff
from shop.core.schema import error_responses
from shop.core.throttling import ShopScopedRateThrottle
from shop.core.validation import validated
from shop.orders.fapiao.links import fapiao_by_link
from shop.orders.fapiao.models import FapiaoRequest, FapiaoStatus
from shop.orders.fapiao.serializers import FapiaoInputSerializer, FapiaoOutputSerializer
from shop.orders.fapiao.services import (
    fapiao_file,
    fapiao_for_order,
    fapiao_issue,
    fapiao_request,
)
from shop.orders.selectors import order_get_for_shopper
from shop.orders.staff_selectors import order_get_for_staff, orders_for_staff


def _email(request: Request) -> str:
    return str(request.query_params.get("email", "") or request.data.get("email", "") or "")


class OrderFapiaoApi(APIView):
    """``GET``: the order's fapiao request and whether it is issued. ``POST``: ask for one
    after placing. The order's owner signed in, or a guest with ``email``."""

    throttle_classes = [ShopScopedRateThrottle]
    throttle_scope = "order_access"

    @extend_schema(
        parameters=[OpenApiParameter("email", str, required=False)],
        responses={200: FapiaoOutputSerializer, **error_responses(404, 429)},
        operation_id="order_fapiao_get",
    )
    def get(self, request: Request, number: str) -> Response:
        order = order_get_for_shopper(number=number, user=request.user, email=_email(request))
        return Response(FapiaoOutputSerializer(fapiao_for_order(order)).data)

    @extend_schema(
        request=FapiaoInputSerializer,
        responses={201: FapiaoOutputSerializer, **error_responses(400, 404, 409, 429)},
        operation_id="order_fapiao_request",
    )
    def post(self, request: Request, number: str) -> Response:
        order = order_get_for_shopper(number=number, user=request.user, email=_email(request))
        data = validated(FapiaoInputSerializer, request.data)
        fapiao = fapiao_request(
            order=order, title=FapiaoInputSerializer.title_of(data), user=request.user
        )
        return Response(FapiaoOutputSerializer(fapiao).data, status=201)


def fapiao_download(fapiao: FapiaoRequest) -> HttpResponse:
    response = HttpResponse(bytes(fapiao.file_content), content_type=fapiao.file_type)
    response["Content-Disposition"] = f'attachment; filename="{fapiao.order.number}-fapiao"'
    response["Cache-Control"] = "private, no-store"
    return response


class OrderFapiaoFileApi(APIView):
    """The issued fapiao's file: for the order's owner signed in, a guest with ``email``,
    or anyone with the ``token`` of the link the shop e-mailed when it was issued."""

    throttle_classes = [ShopScopedRateThrottle]
    throttle_scope = "order_access"

    @extend_schema(
        parameters=[
            OpenApiParameter("email", str, required=False),
            OpenApiParameter("token", str, required=False),
        ],
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            **error_responses(400, 404, 409),
        },
        operation_id="order_fapiao_file",
    )
    def get(self, request: Request, number: str) -> HttpResponse:
        token = str(request.query_params.get("token", ""))
        if token:
            return fapiao_download(fapiao_by_link(number=number, token=token[:500]))
        order = order_get_for_shopper(number=number, user=request.user, email=_email(request))
        return fapiao_download(fapiao_file(order))


class StaffFapiaoListApi(APIView):
    """The fapiao requests of the orders this staff member sees, oldest waiting first."""

    permission_classes = [IsStaff]
    pagination_class = PagePagination

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=FapiaoStatus.values, required=False)],
        responses={200: FapiaoOutputSerializer(many=True), **error_responses(401, 403)},
        operation_id="staff_fapiao_list",
    )
    def get(self, request: Request) -> Response:
        requests = FapiaoRequest.objects.filter(order__in=orders_for_staff(request.user))
        status = request.query_params.get("status")
        if status in FapiaoStatus.values:
            requests = requests.filter(status=status)
        requests = (
            requests.select_related("order").defer("file_content").order_by("created_at", "id")
        )
        paginator = PagePagination()
        page = paginator.paginate_queryset(requests, request, view=self)
        return paginator.get_paginated_response(FapiaoOutputSerializer(page, many=True).data)


class StaffFapiaoIssueApi(APIView):
    """Mark the order's fapiao issued, with its number and file (multipart)."""

    permission_classes = [IsStaff]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer(
                name="StaffFapiaoIssue",
                fields={
                    "fapiao_number": serializers.CharField(max_length=40),
                    "file": serializers.FileField(),
                },
            )
        },
        responses={200: FapiaoOutputSerializer, **error_responses(400, 401, 403, 404)},
        operation_id="staff_fapiao_issue",
    )
    def post(self, request: Request, number: str) -> Response:
        order = order_get_for_staff(user=request.user, number=number, to_change=True)
        fapiao = fapiao_issue(
            order=order,
            fapiao_number=str(request.data.get("fapiao_number", "")),
            upload=request.FILES.get("file"),
            user=request.user,
        )
        return Response(FapiaoOutputSerializer(fapiao).data)


class StaffFapiaoFileApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            **error_responses(401, 403, 404, 409),
        },
        operation_id="staff_fapiao_file",
    )
    def get(self, request: Request, number: str) -> HttpResponse:
        order = order_get_for_staff(user=request.user, number=number)
        return fapiao_download(fapiao_file(order))
