"""OpenAPI pieces shared by every API: the error shape and the common error responses."""

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """``{"code", "message", "fields"}``; built in get_fields because a declared field
    called ``fields`` would hide the serializer's own ``fields`` attribute."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            "code": serializers.CharField(help_text="Stable machine-readable error code."),
            "message": serializers.CharField(help_text="A message for people."),
            "fields": serializers.DictField(
                child=serializers.ListField(child=serializers.CharField()),
                help_text="Problems per input field.",
            ),
        }


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    descriptions = {
        400: "Invalid input",
        401: "Not signed in, or a bad key",
        402: "Payment declined",
        403: "Not allowed",
        404: "Not found",
        405: "Method not allowed",
        409: "Conflicts with the current state (stock, limits, status)",
        429: "Too many requests",
        503: "A service we depend on is unavailable; retry",
    }
    return {s: OpenApiResponse(ErrorSerializer, description=descriptions[s]) for s in statuses}


class ShopAutoSchema(AutoSchema):
    """Nested serializers are named after their view: ``SignInApi.InputSerializer`` becomes
    ``SignInInput``, so views can each keep their own InputSerializer/OutputSerializer."""

    def get_serializer_name(self, serializer: Any, direction: Any) -> str:
        parts = type(serializer).__qualname__.split(".")
        if len(parts) > 1 and "<locals>" not in parts:
            return "".join(p.removesuffix("Api").removesuffix("Serializer") for p in parts)
        return super().get_serializer_name(serializer, direction)
