"""The signed-in shopper's devices: list them, sign one out, sign them all out."""

from __future__ import annotations

import uuid

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.accounts.tokens import device_list, device_sign_out, devices_sign_out_all
from shop.core.schema import error_responses


class DeviceSerializer(serializers.Serializer):
    device_id = serializers.UUIDField()
    name = serializers.CharField()
    signed_in_at = serializers.DateTimeField(source="created")
    expires_at = serializers.DateTimeField(source="expiry")
    last_used_at = serializers.DateTimeField(allow_null=True)
    current = serializers.SerializerMethodField(help_text="The device making this request.")

    def get_current(self, device) -> bool:
        current = self.context.get("current")
        return current is not None and getattr(current, "pk", None) == device.pk


class DevicesApi(APIView):
    """``GET``: the devices signed in to this account. ``DELETE``: sign out everywhere,
    this device included."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: DeviceSerializer(many=True), **error_responses(401)},
        operation_id="my_device_list",
    )
    def get(self, request: Request) -> Response:
        devices = device_list(user=request.user)  # type: ignore[arg-type]
        context = {"current": request.auth}
        return Response(DeviceSerializer(devices, many=True, context=context).data)

    @extend_schema(
        request=None,
        responses={204: None, **error_responses(401)},
        operation_id="my_devices_sign_out",
    )
    def delete(self, request: Request) -> Response:
        devices_sign_out_all(user=request.user)  # type: ignore[arg-type]
        return Response(status=204)


class DeviceApi(APIView):
    """``DELETE``: sign out one device (a lost phone); the others stay signed in."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={204: None, **error_responses(401, 404)},
        operation_id="my_device_sign_out",
    )
    def delete(self, request: Request, device_id: uuid.UUID) -> Response:
        device_sign_out(user=request.user, device_id=device_id)  # type: ignore[arg-type]
        return Response(status=204)
