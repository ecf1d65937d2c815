"""Errors with a stable machine-readable code, an HTTP status and a human message.

Every error the API gives, from a domain rule to a 404 or a throttle, is rendered
by :func:`exception_handler` as ``{"code": ..., "message": ..., "fields": {...}}``.
The code never changes; the message and the fields' texts are in the request's
language (shop/core/i18n.py), so messages are marked for translation: a class's
``message`` with ``gettext_lazy``, a message made while raising with ``gettext`` and
named placeholders. Their Chinese is in locale/zh_Hans/LC_MESSAGES/django.po.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, InterfaceError, OperationalError
from django.http import Http404, HttpResponse, JsonResponse
from django.middleware import csrf
from django.template.loader import render_to_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

if TYPE_CHECKING:
    # A message may be a lazy translation, rendered in the request's language.
    from django_stubs_ext import StrOrPromise

logger = logging.getLogger(__name__)


class ShopError(Exception):
    """A failure the caller can understand and act on."""

    code: str = "error"
    status_code: int = 400
    message: StrOrPromise = _("The request could not be completed.")

    def __init__(
        self,
        message: StrOrPromise | None = None,
        *,
        code: str | None = None,
        fields: dict[str, list[Any]] | None = None,
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
        super().__init__(str(self.message))

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "code": self.code,
            "message": str(self.message),
            # Texts marked for translation become text in the request's language.
            "fields": {
                str(key): [str(text) for text in texts] for key, texts in self.fields.items()
            },
        }
        body.update(self.data)
        return body


class InvalidInput(ShopError):
    code = "invalid"
    message = _("Some fields are not valid.")


class NotFound(ShopError):
    code = "not_found"
    status_code = 404
    message = _("Not found.")


class Forbidden(ShopError):
    code = "permission_denied"
    status_code = 403
    message = _("You do not have permission to perform this action.")


class Conflict(ShopError):
    code = "conflict"
    status_code = 409
    message = _("The request conflicts with the current state.")


class TooManyAttempts(ShopError):
    """Too many failed attempts: the body's ``retry_after`` and the Retry-After header say
    in how many seconds to try again."""

    code = "throttled"
    status_code = 429
    message = _("Too many attempts; please wait before trying again.")

    def __init__(
        self, message: StrOrPromise | None = None, *, retry_after: int, **kwargs: Any
    ) -> None:
        super().__init__(message, retry_after=max(1, int(retry_after)), **kwargs)


class ServiceUnavailable(ShopError):
    code = "service_unavailable"
    status_code = 503
    message = _("The service is temporarily unavailable; please retry shortly.")


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


def error_body(
    code: str, message: StrOrPromise, fields: dict[str, list[str]] | None = None
) -> dict:
    return {"code": code, "message": message, "fields": fields or {}}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Render every exception raised inside an API view in the project's error shape."""
    if isinstance(exc, ShopError):
        retry_after = exc.data.get("retry_after")
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        return Response(exc.as_dict(), status=exc.status_code, headers=headers)
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
            gettext("Some values cannot be used."),
            fields={
                "non_field_errors": [gettext("A value is not valid (for example a NUL character).")]
            },
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
        body = error_body(code, str(InvalidInput.message), _fields(exc.detail))
    else:
        detail = exc.detail
        message = str(detail) if not isinstance(detail, dict | list) else _flatten(detail)[0]
        if isinstance(exc, exceptions.ParseError):
            message = parse_error_message(message)
        if isinstance(exc, exceptions.PermissionDenied) and message.startswith(_DRF_CSRF_PREFIX):
            # As csrf_failure answers for non-API views (DRF's own text is English only).
            code = "csrf_failed"
            message = csrf_failure_message(message.removeprefix(_DRF_CSRF_PREFIX))
        body = error_body(code, message)
        wait = getattr(exc, "wait", None)
        if isinstance(exc, exceptions.Throttled) and wait is not None:
            body["retry_after"] = int(wait)
    response.data = body
    return response


def json_error(request: Any, code: str, message: StrOrPromise, status_code: int) -> JsonResponse:
    # Chinese as UTF-8 text, as the API's own answers give it, not as \u escapes.
    return JsonResponse(
        error_body(code, str(message)),
        status=status_code,
        json_dumps_params={"ensure_ascii": False},
    )


# Pages people read in a browser answer errors with a page; everything else (the API,
# health, metrics) in the error shape.
_PAGES = {"/admin/": "admin/error_page.html", "/partners/": "error_page.html"}
_API = ("/api/", "/partners/api/")


def _error(
    request: Any, code: str, title: StrOrPromise, message: StrOrPromise, status_code: int
) -> HttpResponse:
    path = getattr(request, "path", "") or ""
    for prefix, template in _PAGES.items():
        if path.startswith(prefix) and not path.startswith(_API):
            page = render_to_string(
                template,
                {"title": title, "message": message, "back": prefix},
                request=request,
            )
            return HttpResponse(page, status=status_code)
    return json_error(request, code, message, status_code)


def handler404(request: Any, exception: Exception | None = None) -> HttpResponse:
    return _error(request, "not_found", _("Not found"), NotFound.message, 404)


def handler500(request: Any) -> HttpResponse:
    message = _("Something went wrong on our side.")
    return _error(request, "server_error", _("Server error"), message, 500)


def handler403(request: Any, exception: Exception | None = None) -> HttpResponse:
    message = _("You do not have permission to see or change this.")
    if path_is_api(request):
        message = _("Permission denied.")
    return _error(request, "permission_denied", _("Permission denied"), message, 403)


def handler400(request: Any, exception: Exception | None = None) -> HttpResponse:
    return _error(request, "bad_request", _("Bad request"), _("Bad request."), 400)


def path_is_api(request: Any) -> bool:
    path = getattr(request, "path", "") or ""
    return not any(path.startswith(p) and not path.startswith(_API) for p in _PAGES)


# DRF refuses a session request without a valid CSRF token as "CSRF Failed: <reason>".
_DRF_CSRF_PREFIX = "CSRF Failed: "
# Django gives its reasons in English only; these are the ones it has.
_CSRF_REASONS = {
    csrf.REASON_NO_CSRF_COOKIE: _("CSRF cookie not set."),
    csrf.REASON_CSRF_TOKEN_MISSING: _("CSRF token missing."),
    csrf.REASON_NO_REFERER: _("Referer checking failed - no Referer."),
    csrf.REASON_MALFORMED_REFERER: _("Referer checking failed - Referer is malformed."),
    csrf.REASON_INSECURE_REFERER: _(
        "Referer checking failed - Referer is insecure while host is secure."
    ),
}
_CSRF_REASON_PATTERNS = (
    (
        re.compile(r"Origin checking failed - (?P<origin>.*) does not match any trusted origins\."),
        _("Origin checking failed - %(origin)s does not match any trusted origins."),
    ),
    (
        re.compile(
            r"Referer checking failed - (?P<referer>.*) does not match any trusted origins\."
        ),
        _("Referer checking failed - %(referer)s does not match any trusted origins."),
    ),
    (
        re.compile(r"CSRF token from .* (has incorrect length|has invalid characters)\."),
        _("The CSRF token is malformed."),
    ),
    (re.compile(r"CSRF token from .* incorrect\."), _("CSRF token incorrect.")),
)


# DRF reports a body it cannot parse with the parser's own English text.
_JSON_PREFIX = "JSON parse error - "
_MULTIPART_PREFIX = "Multipart form parse error - "
_JSON_WHERE = re.compile(r".*: line (?P<line>\d+) column (?P<column>\d+) \(char \d+\)")


def parse_error_message(message: str) -> str:
    """A body DRF could not parse, in the request's language: where the JSON breaks."""
    if message.startswith(_JSON_PREFIX):
        where = _JSON_WHERE.fullmatch(message.removeprefix(_JSON_PREFIX))
        if where is None:
            return gettext("The request body is not valid JSON.")
        return gettext("The request body is not valid JSON (line %(line)s, column %(column)s).") % {
            "line": where["line"],
            "column": where["column"],
        }
    if message.startswith(_MULTIPART_PREFIX):
        return gettext("The request body is not a valid multipart form.")
    return message


def csrf_failure_message(reason: str) -> str:
    """Why a request failed the CSRF check, in the request's language."""
    text: StrOrPromise = _CSRF_REASONS.get(reason, reason)
    for pattern, template in _CSRF_REASON_PATTERNS:
        match = pattern.fullmatch(reason)
        if match is not None:
            text = str(template) % match.groupdict()
            break
    return gettext("CSRF check failed: %(reason)s") % {"reason": text}


def csrf_failure(request: Any, reason: str = "") -> JsonResponse:
    return json_error(request, "csrf_failed", csrf_failure_message(reason), 403)


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
