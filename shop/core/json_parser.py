"""The API's only JSON parser (settings ``REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]``).

A module of its own, importing the checks only when it first parses: DRF imports its
parsers while ``rest_framework.views`` is being imported, which ``shop.core.errors``
(and so ``shop.core.json_body``) itself imports.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework.parsers import BaseParser
from rest_framework.renderers import JSONRenderer

# Where RequestLimitsMiddleware leaves a body it has already checked, for the parser.
CHECKED_BODY_ATTRIBUTE = "shop_json_body"


class JSONBodyParser(BaseParser):
    """The request body through :func:`shop.core.json_body.json_object_load`, or the body
    the middleware has already checked and parsed."""

    media_type = "application/json"
    renderer_class = JSONRenderer

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        from shop.core.json_body import body_max_bytes, declared_length_check, json_object_load

        request = (parser_context or {}).get("request")
        django_request = getattr(request, "_request", None)
        checked = getattr(django_request, CHECKED_BODY_ATTRIBUTE, None)
        if checked is not None:
            return checked
        if django_request is not None:
            declared_length_check(django_request.META)
        raw = stream.read(body_max_bytes() + 1) if stream is not None else b""
        return json_object_load(raw)
