"""Public catalog API: collections and products, in the shopper's language and channel.

Every answer is cacheable for a short while (stock moves) and carries a weak ETag of its
body, so storefronts that poll the catalog get a bodiless 304 while nothing changed. The
server keeps its 200 answers in Redis too (see :mod:`catalog.cache` for when they are
thrown away), so a page most shoppers ask for is computed once, not for each of them.
"""

from __future__ import annotations

import hashlib
import re
from contextlib import nullcontext
from typing import Any, cast

from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.cache import kept_answer_get, kept_answer_response, kept_answer_store
from catalog.filters import BOOLEAN_CHOICES, ORDERING_CHOICES, SEARCH_MAX_LENGTH
from catalog.list_pages import cursor_page, numbered_page
from catalog.search.statements import unprepared
from catalog.search.suggestions import PREFIX_MAX_LENGTH, suggestions_for
from catalog.selectors import collection_get, collection_list, product_get, product_list
from catalog.serializers import (
    AutocompleteSerializer,
    CollectionSerializer,
    ProductDetailSerializer,
    ProductPageSerializer,
    product_page_data,
)
from shop.core.errors import InvalidInput
from shop.core.i18n import CONTENT_LANGUAGE, language_from_request
from shop.core.pagination import PagePagination
from shop.core.schema import ErrorSerializer

CACHE_CONTROL = "public, max-age=30"
CHANNEL_CODE = re.compile(r"[-a-zA-Z0-9_]{1,40}")
VARY = ["Accept-Language", "X-Channel-Key"]


def _weak_etag(body: bytes, lang: str) -> str:
    """The ETag of an answer whose JSON (compact, as :class:`JSONRenderer` gives it by
    default) is ``body``, in language ``lang``."""
    digest = hashlib.sha256(lang.encode() + b"\n" + body).hexdigest()[:32]
    return f'W/"{digest}"'


class RenderedResponse(Response):
    """A 200 whose JSON was rendered once already, for its ETag: those bytes are its body
    whenever the rendering asked for is that one (JSON, not indented), instead of
    rendering the page a second time."""

    def __init__(self, data: Any, *, body: bytes, headers: dict[str, str]) -> None:
        super().__init__(data, headers=headers)
        self.rendered_body = body

    @property
    def rendered_content(self) -> Any:  # bytes, as DRF's (the stubs say str)
        renderer: Any = getattr(self, "accepted_renderer", None)
        media_type = getattr(self, "accepted_media_type", None)
        context = getattr(self, "renderer_context", None)
        plain = type(renderer) is JSONRenderer and context is not None
        if not plain or renderer.get_indent(media_type, context) is not None:
            return super().rendered_content
        self["Content-Type"] = self.content_type or renderer.media_type
        return self.rendered_body


def _none_match(header: str, etag: str) -> bool:
    """Weak comparison, as If-None-Match asks for: ``W/"x"`` matches ``"x"``."""
    if not header:
        return False
    wanted = etag.removeprefix("W/")
    return any(tag == "*" or tag.removeprefix("W/") == wanted for tag in parse_etags(header))


def cacheable_response(request: Request, data: Any, *, lang: str) -> Response:
    """A 200 with ``data``, or a bodiless 304 when the client already holds this body."""
    body = JSONRenderer().render(data)
    etag = _weak_etag(body, lang)
    headers = {
        "ETag": etag,
        "Cache-Control": CACHE_CONTROL,
        "Content-Language": CONTENT_LANGUAGE[lang],
    }
    if _none_match(request.META.get("HTTP_IF_NONE_MATCH", ""), etag):
        response = Response(status=304, headers=headers)
    else:
        response = RenderedResponse(data, body=body, headers=headers)
    patch_vary_headers(response, VARY)
    return response


def _channel_id(request: Request) -> int | None:
    """The id of the channel the request names (``request.channel``, which the channels'
    middleware gives every request), or None."""
    # A value that cannot be a channel code is a bad filter value, not a failed lookup
    # (a NUL byte would even make the database refuse the query).
    code = (request.query_params.get("channel") or "").strip()
    if code and not CHANNEL_CODE.fullmatch(code):
        raise InvalidInput(
            fields={"channel": [_("Enter a channel code (letters, digits, - or _).")]}
        )
    channel = cast(Any, request).channel
    return channel.pk if channel else None


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


NOT_MODIFIED = OpenApiResponse(description="Not modified: the If-None-Match ETag still holds.")
LANG_PARAMETER = OpenApiParameter(
    "lang",
    OpenApiTypes.STR,
    enum=["zh", "en"],
    description="Language of the texts; otherwise Accept-Language decides, then Chinese.",
)
ACCEPT_LANGUAGE_PARAMETER = OpenApiParameter(
    "Accept-Language", OpenApiTypes.STR, location=OpenApiParameter.HEADER
)
IF_NONE_MATCH_PARAMETER = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    description="An ETag from an earlier answer; a 304 comes back while it still holds.",
)
CHANNEL_PARAMETERS = [
    OpenApiParameter(
        "channel",
        OpenApiTypes.STR,
        description=(
            "A public channel's code. With a channel only the products published there now "
            "are shown, at the channel's prices."
        ),
    ),
    OpenApiParameter(
        "X-Channel-Key",
        OpenApiTypes.STR,
        location=OpenApiParameter.HEADER,
        description="A channel storefront's key; names the channel like ?channel= does.",
    ),
]
CHANNEL_ERRORS = {
    401: _error("The channel key is not valid, or this channel needs its key."),
    403: _error("The channel is not selling right now."),
}
COMMON_PARAMETERS = [LANG_PARAMETER, ACCEPT_LANGUAGE_PARAMETER, IF_NONE_MATCH_PARAMETER]


class CatalogApi(APIView):
    """Public reads: no sign-in, so nothing about the caller changes the answer but its
    language and channel (which the Vary header names)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        lang = language_from_request(request)
        key, kept = kept_answer_get(request, lang=lang)
        if kept is not None:
            not_modified = _none_match(request.META.get("HTTP_IF_NONE_MATCH", ""), kept.etag)
            return kept_answer_response(kept, not_modified=not_modified)
        response = super().dispatch(request, *args, **kwargs)
        if key is not None and isinstance(response, Response) and response.status_code == 200:
            response.render()
            kept_answer_store(key, response)
        return response


class CollectionListApi(CatalogApi):
    @extend_schema(
        operation_id="catalog_collection_list",
        parameters=COMMON_PARAMETERS,
        responses={200: CollectionSerializer(many=True), 304: NOT_MODIFIED},
    )
    def get(self, request: Request) -> Response:
        lang = language_from_request(request)
        data = CollectionSerializer(collection_list(), many=True, context={"lang": lang}).data
        return cacheable_response(request, data, lang=lang)


class CollectionDetailApi(CatalogApi):
    @extend_schema(
        operation_id="catalog_collection_get",
        parameters=COMMON_PARAMETERS,
        responses={
            200: CollectionSerializer,
            304: NOT_MODIFIED,
            404: _error("No active collection has this slug."),
        },
    )
    def get(self, request: Request, slug: str) -> Response:
        lang = language_from_request(request)
        data = CollectionSerializer(collection_get(slug=slug), context={"lang": lang}).data
        return cacheable_response(request, data, lang=lang)


# The deepest page asked by number.
PAGE_MOST = 10_000


class ProductListApi(CatalogApi):
    class InputSerializer(serializers.Serializer):
        # Deeper than that, the list is read by cursor (next_cursor): a page number is an
        # offset to count and skip, and one past what the engine takes is refused here.
        page = serializers.IntegerField(min_value=1, max_value=PAGE_MOST, required=False)
        page_size = serializers.IntegerField(
            min_value=1, max_value=PagePagination.max_page_size, required=False
        )

    @extend_schema(
        operation_id="catalog_product_list",
        parameters=[
            *COMMON_PARAMETERS,
            *CHANNEL_PARAMETERS,
            OpenApiParameter("page", OpenApiTypes.INT, description="From 1."),
            OpenApiParameter(
                "cursor",
                OpenApiTypes.STR,
                description=(
                    "Instead of page: an answer's next_cursor or previous_cursor, opaque. "
                    "The page after (before) the place it names, read from there whatever "
                    "its depth; the same filters and ordering, not with q or page."
                ),
            ),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="1 to 100; 20."),
            OpenApiParameter("collection", OpenApiTypes.STR, description="Collection slug."),
            OpenApiParameter("tag", OpenApiTypes.STR, description="Tag slug."),
            OpenApiParameter(
                "price_min",
                OpenApiTypes.DECIMAL,
                description="The lowest variant price (in the channel, if any) at least this.",
            ),
            OpenApiParameter(
                "price_max",
                OpenApiTypes.DECIMAL,
                description="The lowest variant price (in the channel, if any) at most this.",
            ),
            OpenApiParameter(
                "in_stock",
                OpenApiTypes.STR,
                enum=[value for value, _ in BOOLEAN_CHOICES],
                description="true: some active variant has free units; false: none has.",
            ),
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                description=(
                    f"Words (at most {SEARCH_MAX_LENGTH} characters, Chinese or English) to "
                    "find in names, descriptions, tags, SKUs and relic names; all must match."
                ),
            ),
            OpenApiParameter(
                "ordering",
                OpenApiTypes.STR,
                enum=[value for value, _ in ORDERING_CHOICES],
                description="newest is the latest created first; the default is slug.",
            ),
        ],
        responses={
            200: ProductPageSerializer,
            304: NOT_MODIFIED,
            400: _error(
                "A filter, page or page_size value is not valid (code invalid), or the "
                "cursor is not one of this list and ordering (code invalid_cursor)."
            ),
            **CHANNEL_ERRORS,
            404: _error("No such page, or no such channel."),
        },
    )
    def get(self, request: Request) -> Response:
        lang = language_from_request(request)
        channel_id = _channel_id(request)
        params = self.InputSerializer(data=request.query_params)
        page_errors = {} if params.is_valid() else _serializer_errors(params.errors)
        # A search's statements are planned for its words (catalog/search/statements.py).
        with unprepared() if request.query_params.get("q") else nullcontext():
            try:
                products = product_list(
                    filters=request.query_params, channel_id=channel_id, lang=lang
                )
            except InvalidInput as exc:
                # Every bad value is reported at once, the page's with the filters'.
                exc.fields = {**page_errors, **exc.fields}
                raise
            if page_errors:
                raise InvalidInput(fields=page_errors)
            page_size = params.validated_data.get("page_size", PagePagination.page_size)
            cursor = request.query_params.get("cursor")
            if cursor is None:
                page = params.validated_data.get("page", 1)
                data = numbered_page(
                    request, products, page=page, page_size=page_size, lang=lang, view=self
                )
            else:
                data = cursor_page(request, products, cursor=cursor, page_size=page_size, lang=lang)
        return cacheable_response(request, data, lang=lang)


class AutocompleteApi(CatalogApi):
    """Suggestions while the shopper types: products (on show, in the channel if one is
    named), collections and relics whose names or their words start with ``q``, in
    Chinese, traditional or simplified, pinyin (full or initials) or English."""

    class InputSerializer(serializers.Serializer):
        q = serializers.CharField(max_length=PREFIX_MAX_LENGTH, trim_whitespace=True)

    @extend_schema(
        operation_id="catalog_autocomplete",
        parameters=[
            *COMMON_PARAMETERS,
            *CHANNEL_PARAMETERS,
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                required=True,
                description=f"What was typed so far (1 to {PREFIX_MAX_LENGTH} characters).",
            ),
        ],
        responses={
            200: AutocompleteSerializer,
            304: NOT_MODIFIED,
            400: _error("q is missing, empty or too long (code invalid)."),
            **CHANNEL_ERRORS,
            404: _error("No such channel."),
        },
    )
    def get(self, request: Request) -> Response:
        lang = language_from_request(request)
        channel_id = _channel_id(request)
        params = self.InputSerializer(data=request.query_params)
        if not params.is_valid():
            raise InvalidInput(fields=_serializer_errors(params.errors))
        text = params.validated_data["q"]
        found = suggestions_for(text, lang=lang, channel_id=channel_id, now=timezone.now())
        # AutocompleteSerializer's shape, built as plain dicts (it stays as the schema).
        data = {"query": text} | {
            kind: [{"slug": item.slug, "name": item.name} for item in items]
            for kind, items in found.items()
        }
        return cacheable_response(request, data, lang=lang)


class ProductDetailApi(CatalogApi):
    @extend_schema(
        operation_id="catalog_product_get",
        parameters=[*COMMON_PARAMETERS, *CHANNEL_PARAMETERS],
        responses={
            200: ProductDetailSerializer,
            304: NOT_MODIFIED,
            400: _error("The channel value is not a channel code (code invalid)."),
            **CHANNEL_ERRORS,
            404: _error("No such product on sale (in this channel, now), or no such channel."),
        },
    )
    def get(self, request: Request, slug: str) -> Response:
        lang = language_from_request(request)
        page = product_get(slug=slug, channel_id=_channel_id(request))
        data = product_page_data(page, lang)
        return cacheable_response(request, data, lang=lang)


def _serializer_errors(errors: Any) -> dict[str, list[str]]:
    return {
        str(field): [str(message) for message in messages] for field, messages in errors.items()
    }
