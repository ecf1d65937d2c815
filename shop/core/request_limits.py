"""What the shop refuses before any view runs: oversized URLs and headers, NUL characters
in the URL, and request bodies a view cannot take.

gunicorn has limits of its own (gunicorn.conf.py) and answers a request beyond them
itself; the shop's limits here are lower, so anything a client can still send gets an
answer from the shop, in the error shape:

- a URL (path and query string) over ``SHOP_URL_MAX_BYTES``: 414 ``uri_too_long``;
- a header over ``SHOP_HEADER_MAX_BYTES``, more than ``SHOP_HEADERS_MAX_COUNT`` headers,
  or more than ``SHOP_HEADERS_MAX_TOTAL_BYTES`` of them in all: 431 ``headers_too_large``;
- a NUL character in the URL (``%00``) or a header, which PostgreSQL can neither store
  nor compare: 400 ``invalid_character``;
- for an API view, a body of a content type none of its parsers takes: 415
  ``unsupported_media_type``; a JSON body is checked and parsed here, as the view's
  parser would (shop/core/json_body.py), and handed to it: so a view that ignores its
  body refuses a hostile one too, and every refusal comes before authentication, a
  database query or a write.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from rest_framework.utils.mediatypes import media_type_matches

from shop.core.errors import ShopError
from shop.core.json_body import (
    InvalidCharacter,
    PayloadTooLarge,
    declared_length_check,
    json_object_load,
)
from shop.core.json_parser import CHECKED_BODY_ATTRIBUTE, JSONBodyParser

# Headers WSGI passes without the HTTP_ prefix.
_UNPREFIXED_HEADERS = ("CONTENT_TYPE", "CONTENT_LENGTH")


class UriTooLong(ShopError):
    code = "uri_too_long"
    status_code = 414
    message = _("The URL or its query string is too long.")


class HeadersTooLarge(ShopError):
    code = "headers_too_large"
    status_code = 431
    message = _("The request's headers are too large or too many.")


class UnsupportedBodyType(ShopError):
    code = "unsupported_media_type"
    status_code = 415
    message = _("This endpoint does not accept a request body of that content type.")


def url_check(request: HttpRequest) -> None:
    if len(request.get_full_path()) > settings.SHOP_URL_MAX_BYTES:
        raise UriTooLong()
    if "\x00" in request.path_info or "%00" in request.META.get("QUERY_STRING", ""):
        raise InvalidCharacter()


def headers_check(meta: dict[str, Any]) -> None:
    count = total = 0
    for key, value in meta.items():
        if not (key.startswith("HTTP_") or key in _UNPREFIXED_HEADERS):
            continue
        text = str(value)
        size = len(key.removeprefix("HTTP_")) + len(text)
        if size > settings.SHOP_HEADER_MAX_BYTES:
            raise HeadersTooLarge()
        if "\x00" in text:
            raise InvalidCharacter()
        count += 1
        total += size
    if count > settings.SHOP_HEADERS_MAX_COUNT or total > settings.SHOP_HEADERS_MAX_TOTAL_BYTES:
        raise HeadersTooLarge()


def _has_body(request: HttpRequest) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > 0
    except ValueError:
        return False


def _parser_for(view_class: type, content_type: str) -> type | None:
    """The parser DRF would pick for the content type (the first that matches)."""
    for parser in getattr(view_class, "parser_classes", ()):
        if media_type_matches(parser.media_type, content_type):
            return parser
    return None


def refusal(error: ShopError) -> JsonResponse:
    response = JsonResponse(error.as_dict(), status=error.status_code)
    # Answered before CommonMiddleware, which would otherwise set it.
    response["Content-Length"] = str(len(response.content))
    return response


class RequestLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            url_check(request)
            headers_check(request.META)
        except ShopError as refused:
            return refusal(refused)
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        view_class = getattr(view_func, "cls", None)  # set on every DRF view
        if view_class is None or not _has_body(request):
            return None
        content_type = request.META.get("CONTENT_TYPE", "")
        parser = _parser_for(view_class, content_type)
        if parser is None:
            return refusal(UnsupportedBodyType())
        if not issubclass(parser, JSONBodyParser):
            return None
        try:
            declared_length_check(request.META)
            try:
                raw = request.body
            except RequestDataTooBig:
                # Django's own limit (DATA_UPLOAD_MAX_MEMORY_SIZE) is the lower one.
                raise PayloadTooLarge() from None
            setattr(request, CHECKED_BODY_ATTRIBUTE, json_object_load(raw))
        except ShopError as refused:
            return refusal(refused)
        return None
