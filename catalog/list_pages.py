"""A page of the public product list as the API answers it: by page number (``?page=``,
an offset) or by cursor (``?cursor=``, a place in the list's order, see
:mod:`catalog.list_cursor`).

Both answers have the same keys. Every page of a list without search also carries
``next_cursor`` and ``previous_cursor``, so a storefront may start with page numbers and
go on by cursor; in an answer by cursor ``next`` and ``previous`` are links by cursor.
"""

from __future__ import annotations

from typing import Any, cast

from django.utils.translation import gettext as _
from rest_framework.request import Request
from rest_framework.utils.urls import remove_query_param, replace_query_param

from catalog.list_cursor import InvalidCursor, ListCursor, cursor_decode, cursor_encode
from catalog.product_cards import ProductCard
from catalog.selectors import ProductList
from catalog.serializers import product_card_data
from shop.core.pagination import PagePagination


def numbered_page(
    request: Request, products: ProductList, *, page: int, page_size: int, lang: str, view: Any
) -> dict[str, Any]:
    """Page ``page`` of the list (or the 404 of a page past its end), as ever."""
    products.count_through_page(page, page_size)
    paginator = PagePagination()
    # A ProductList pages like a queryset (count, then one slice): typed for querysets only.
    cards = paginator.paginate_queryset(cast(Any, products), request, view=view) or []
    results = [product_card_data(card, lang) for card in cards]
    data = dict(paginator.get_paginated_response(results).data)
    data["did_you_mean"] = products.did_you_mean
    data["count_capped"] = products.count_capped
    numbered = paginator.page
    by_cursor = products.pages_by_cursor and bool(cards)
    later = by_cursor and numbered is not None and numbered.has_next()
    earlier = by_cursor and numbered is not None and numbered.has_previous()
    data["next_cursor"] = _after(products, cards) if later else None
    data["previous_cursor"] = _before(products, cards) if earlier else None
    return data


def cursor_page(
    request: Request, products: ProductList, *, cursor: str, page_size: int, lang: str
) -> dict[str, Any]:
    """The page next to the place ``cursor`` names. Raises :class:`InvalidCursor` for a
    cursor the list did not give, one of another ordering, a search's or with a page."""
    if "page" in request.query_params:
        raise InvalidCursor(_("Give either page or cursor, not both."))
    if not products.pages_by_cursor:
        raise InvalidCursor(_("Search results are paged by page number, not by cursor."))
    place = cursor_decode(cursor, products.ordering)
    cards, more = products.keyset_page(place, page_size)
    # The cursor's own entry lies on the side the page was read from.
    later, earlier = (bool(cards), more) if place.before else (more, bool(cards))
    next_cursor = _after(products, cards) if later else None
    previous_cursor = _before(products, cards) if earlier else None
    url = remove_query_param(request.build_absolute_uri(), "page")
    return {
        "count": products.count(),
        "next": replace_query_param(url, "cursor", next_cursor) if next_cursor else None,
        "previous": (
            replace_query_param(url, "cursor", previous_cursor) if previous_cursor else None
        ),
        "results": [product_card_data(card, lang) for card in cards],
        "did_you_mean": products.did_you_mean,
        "count_capped": products.count_capped,
        "next_cursor": next_cursor,
        "previous_cursor": previous_cursor,
    }


def _after(products: ProductList, cards: list[ProductCard]) -> str:
    """The cursor of the page after these cards."""
    fields = products.keyset_fields
    return cursor_encode(ListCursor(fields=fields, key=cards[-1].sort_key))


def _before(products: ProductList, cards: list[ProductCard]) -> str:
    """The cursor of the page before these cards."""
    fields = products.keyset_fields
    return cursor_encode(ListCursor(fields=fields, key=cards[0].sort_key, before=True))
