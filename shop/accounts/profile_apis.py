"""The signed-in shopper's profile and saved addresses, and the divisions to pick from."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.accounts.addresses import (
    ADDRESS_FIELDS,
    address_create,
    address_delete,
    address_get,
    address_update,
)
from shop.accounts.divisions import division_children
from shop.accounts.models import Address
from shop.core.errors import InvalidInput
from shop.core.schema import error_responses
from shop.core.validation import validated


class AddressSerializer(serializers.ModelSerializer):
    class Meta:
        model = Address
        fields = ["id", *ADDRESS_FIELDS]
        read_only_fields = ["id", "province", "city", "district"]


class AddressInputSerializer(serializers.Serializer):
    """A mainland address names its divisions by code (GET /divisions/); the names are
    filled in. Elsewhere ``country``, ``province`` (a region), ``city`` and ``postcode``."""

    label = serializers.CharField(  # type: ignore[assignment]
        max_length=40, required=False, allow_blank=True
    )
    name = serializers.CharField(max_length=100)
    phone = serializers.CharField(max_length=32)
    country = serializers.RegexField(r"^[A-Za-z]{2}$", required=False, default="CN")
    province_code = serializers.RegexField(r"^\d{6}$", required=False, allow_blank=True)
    city_code = serializers.RegexField(r"^\d{6}$", required=False, allow_blank=True)
    district_code = serializers.RegexField(r"^\d{6}$", required=False, allow_blank=True)
    province = serializers.CharField(max_length=64, required=False, allow_blank=True)
    city = serializers.CharField(max_length=64, required=False, allow_blank=True)
    street = serializers.CharField(max_length=255)
    postcode = serializers.CharField(max_length=16, required=False, allow_blank=True)
    is_default = serializers.BooleanField(required=False)


class AddressPatchSerializer(AddressInputSerializer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, partial=True, **kwargs)


class AddressListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=AddressSerializer(many=True), operation_id="my_address_list")
    def get(self, request: Request) -> Response:
        addresses = Address.objects.filter(user=request.user.pk)
        return Response(AddressSerializer(addresses, many=True).data)

    @extend_schema(
        request=AddressInputSerializer,
        responses={201: AddressSerializer, **error_responses(400, 401)},
        operation_id="my_address_create",
    )
    def post(self, request: Request) -> Response:
        data = validated(AddressInputSerializer, request.data)
        address = address_create(user=request.user, data=data)  # type: ignore[arg-type]
        return Response(AddressSerializer(address).data, status=201)


class AddressApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: AddressSerializer, **error_responses(401, 404)},
        operation_id="my_address_get",
    )
    def get(self, request: Request, address_id: int) -> Response:
        address = address_get(user=request.user, address_id=address_id)  # type: ignore[arg-type]
        return Response(AddressSerializer(address).data)

    @extend_schema(
        request=AddressPatchSerializer,
        responses={200: AddressSerializer, **error_responses(400, 401, 404)},
        operation_id="my_address_update",
    )
    def patch(self, request: Request, address_id: int) -> Response:
        data = validated(AddressPatchSerializer, request.data)
        address = address_update(user=request.user, address_id=address_id, data=data)  # type: ignore[arg-type]
        return Response(AddressSerializer(address).data)

    @extend_schema(
        request=None,
        responses={204: None, **error_responses(401, 404)},
        operation_id="my_address_delete",
    )
    def delete(self, request: Request, address_id: int) -> Response:
        address_delete(user=request.user, address_id=address_id)  # type: ignore[arg-type]
        return Response(status=204)


class DivisionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class DivisionListApi(APIView):
    """Mainland China's provinces, a province's cities (``?parent=<province code>``) or a
    city's districts (``?parent=<city code>``), by national division code."""

    @extend_schema(
        parameters=[OpenApiParameter("parent", str, required=False)],
        responses={200: DivisionSerializer(many=True), **error_responses(400)},
        operation_id="division_list",
    )
    def get(self, request: Request) -> Response:
        parent = request.query_params.get("parent", "")
        if parent and not (parent.isdigit() and len(parent) == 6):
            raise InvalidInput(fields={"parent": [_("A six-digit division code.")]})
        children = division_children(parent or None)
        return Response([{"code": code, "name": name} for code, name in children])
