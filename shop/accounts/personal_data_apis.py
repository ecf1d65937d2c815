"""The shopper's own data: download it, or delete the account (PIPL)."""

from __future__ import annotations

import json

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.accounts.personal_data import user_delete, user_personal_data
from shop.core.schema import error_responses
from shop.core.throttling import ShopScopedRateThrottle
from shop.core.validation import validated


class PersonalDataApi(APIView):
    """Everything the shop holds about the signed-in shopper, as a JSON file: the account,
    addresses, devices, and orders with their fapiao."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={(200, "application/json"): OpenApiTypes.OBJECT, **error_responses(401)},
        operation_id="me_data_export",
    )
    def get(self, request: Request) -> HttpResponse:
        data = user_personal_data(user=request.user)  # type: ignore[arg-type]
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2, default=str),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="my-data.json"'
        response["Cache-Control"] = "private, no-store"
        return response


class AccountDeleteApi(APIView):
    """Delete the signed-in shopper's account for good (the password confirms it): orders
    stay for accounting without the person; everything else about them goes."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [ShopScopedRateThrottle]
    throttle_scope = "sign_in"

    class InputSerializer(serializers.Serializer):
        password = serializers.CharField(
            max_length=128, write_only=True, required=False, allow_blank=True, default=""
        )

    @extend_schema(
        request=InputSerializer,
        responses={204: None, **error_responses(400, 401, 429)},
        operation_id="me_delete",
    )
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        user_delete(user=request.user, password=data["password"])  # type: ignore[arg-type]
        return Response(status=204)
