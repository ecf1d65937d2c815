"""OpenAPI pieces shared by every API: the error shape and the common error responses."""

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import SAFE_METHODS, AllowAny


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


_DESCRIPTIONS = {
    400: "Invalid input",
    401: "Not signed in, or a bad key",
    402: "Payment declined",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflicts with the current state (stock, limits, status)",
    413: "The request body is too large",
    415: "Unsupported request content type",
    429: "Too many requests",
    503: "A service we depend on is unavailable; retry",
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    return {s: OpenApiResponse(ErrorSerializer, description=_DESCRIPTIONS[s]) for s in statuses}


class ShopAutoSchema(AutoSchema):
    """Nested serializers are named after their view: ``SignInApi.InputSerializer`` becomes
    ``SignInInput``, so views can each keep their own InputSerializer/OutputSerializer."""

    def get_serializer_name(self, serializer: Any, direction: Any) -> str:
        parts = type(serializer).__qualname__.split(".")
        if len(parts) > 1 and "<locals>" not in parts:
            return "".join(p.removesuffix("Api").removesuffix("Serializer") for p in parts)
        return super().get_serializer_name(serializer, direction)

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        """Every operation also documents the errors the framework itself can give, so
        the schema describes every answer the API really gives (the fuzzing tests check
        it): a bad token (401), a refusal or a CSRF failure (403), a bad body or a NUL
        character in the URL (400), a body too large or of another type (413, 415),
        an unknown object or page (404), a throttle (429), and a write that met the
        database unavailable (503).
        """
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation.setdefault("responses", {})
        for status in self._framework_error_statuses(operation):
            if str(status) not in responses:
                responses[str(status)] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=_DESCRIPTIONS[status]),
                    str(status),
                )
        return operation

    def _framework_error_statuses(self, operation: dict[str, Any]) -> list[int]:
        # A NUL character anywhere in the URL or a header (shop/core/request_limits.py).
        statuses = [400]
        authenticators = self.view.get_authenticators()
        if authenticators:
            statuses.append(401)
        unsafe = self.method not in SAFE_METHODS
        guarded = any(not isinstance(p, AllowAny) for p in self.view.get_permissions())
        if guarded or (
            unsafe and any(isinstance(a, SessionAuthentication) for a in authenticators)
        ):
            statuses.append(403)
        if unsafe:
            # A body that is not JSON, or not the documented one, or too large; and a
            # write that met a dropped database connection (nothing of it was kept;
            # retrying is safe).
            statuses += [413, 415, 503]
        parameters = operation.get("parameters", [])
        names = {parameter.get("name") for parameter in parameters}
        # DRF answers an unknown ?format= (a renderer choice) and a page past the last with 404.
        if any(parameter.get("in") == "path" for parameter in parameters) or names & {
            "format",
            "page",
        }:
            statuses.append(404)
        if self.view.get_throttles():
            statuses.append(429)
        return statuses


def page_of(name: str, item: type[serializers.Serializer]) -> serializers.Serializer:
    """The schema of one page of a paginated list of ``item``."""
    return inline_serializer(
        name=name,
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item(many=True),
        },
    )
