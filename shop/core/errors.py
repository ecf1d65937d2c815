"""Errors with a stable machine-readable code, an HTTP status and a human message.

Every error the API gives, from a domain rule to a 404 or a throttle, is rendered
by :func:`exception_handler` as ``{"code": ..., "message": ..., "fields": {...}}``.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


class ShopError(Exception):
    """A failure the caller can understand and act on."""

    code: str = "error"
    status_code: int = 400
    message: str = "The request could not be completed."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
        status_code: int | None = None,
        **data: Any,
    ) -> None:
        self.message = message or self.message
        if code:
            self.code = code
        if status_code:
            self.status_code = status_code
        self.fields = fields or {}
        self.data = data
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message, "fields": self.fields}
        body.update(self.data)
        return body


class InvalidInput(ShopError):
    code = "invalid"
    message = "Some fields are not valid."


class NotFound(ShopError):
    code = "not_found"
    status_code = 404
    message = "Not found."


class Forbidden(ShopError):
    code = "permission_denied"
    status_code = 403
    message = "You do not have permission to perform this action."


class Conflict(ShopError):
    code = "conflict"
    status_code = 409
    message = "The request conflicts with the current state."


class ServiceUnavailable(ShopError):
    code = "service_unavailable"
    status_code = 503
    message = "The service is temporarily unavailable; please retry shortly."


_DRF_CODES: dict[type[exceptions.APIException], str] = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
    exceptions.ParseError: "parse_error",
    exceptions.ValidationError: "invalid",
}


def _flatten(detail: Any) -> list[str]:
    if isinstance(detail, dict):
        return [f"{key}: {msg}" for key, value in detail.items() for msg in _flatten(value)]
    if isinstance(detail, list | tuple):
        return [msg for item in detail for msg in _flatten(item)]
    return [str(detail)]


def _fields(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {str(key): _flatten(value) for key, value in detail.items()}
    return {"non_field_errors": _flatten(detail)}


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict:
    return {"code": code, "message": message, "fields": fields or {}}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Render every exception raised inside an API view in the project's error shape."""
    if isinstance(exc, ShopError):
        return Response(exc.as_dict(), status=exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    elif isinstance(exc, DataError):
        # A value the database refuses to compare or store (a NUL character, a number out
        # of range) that input validation let through: bad input, never a server error.
        logger.info("input refused by the database: %s", exc)
        refused = InvalidInput(
            "Some values cannot be used.",
            fields={"non_field_errors": ["A value is not valid (for example a NUL character)."]},
        )
        return Response(refused.as_dict(), status=refused.status_code)
    elif isinstance(exc, OperationalError | InterfaceError):
        logger.warning("database unavailable: %s", exc)
        err = ServiceUnavailable()
        return Response(err.as_dict(), status=err.status_code, headers={"Retry-After": "2"})

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    assert isinstance(exc, exceptions.APIException)
    code = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), None)
    if code is None:
        code = exc.default_code if isinstance(exc.default_code, str) else "error"
    if isinstance(exc, exceptions.ValidationError):
        body = error_body(code, "Some fields are not valid.", _fields(exc.detail))
    else:
        detail = exc.detail
        message = str(detail) if not isinstance(detail, dict | list) else _flatten(detail)[0]
        if isinstance(exc, exceptions.PermissionDenied) and message.startswith("CSRF Failed"):
            code = "csrf_failed"  # as csrf_failure answers for non-API views
        body = error_body(code, message)
        wait = getattr(exc, "wait", None)
        if isinstance(exc, exceptions.Throttled) and wait is not None:
            body["retry_after"] = int(wait)
    response.data = body
    return response


def json_error(request: Any, code: str, message: str, status_code: int) -> JsonResponse:
    return JsonResponse(error_body(code, message), status=status_code)


def handler404(request: Any, exception: Exception | None = None) -> JsonResponse:
    return json_error(request, "not_found", "Not found.", 404)


def handler500(request: Any) -> JsonResponse:
    return json_error(request, "server_error", "Something went wrong on our side.", 500)


def handler403(request: Any, exception: Exception | None = None) -> JsonResponse:
    return json_error(request, "permission_denied", "Permission denied.", 403)


def handler400(request: Any, exception: Exception | None = None) -> JsonResponse:
    return json_error(request, "bad_request", "Bad request.", 400)


def csrf_failure(request: Any, reason: str = "") -> JsonResponse:
    return json_error(request, "csrf_failed", f"CSRF check failed: {reason}", 403)


class ApiNotFoundMiddleware:
    """An unknown path under /api/ answers in the error shape also where DEBUG is on (the
    embedded default), where Django answers a 404 no view gave with its HTML debugging
    page instead of ``handler404``. Listed before CommonMiddleware, so a path missing
    its trailing slash is still redirected to the one with it."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        response = self.get_response(request)
        if (
            response.status_code == 404
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return handler404(request)
        return response
