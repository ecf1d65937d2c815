"""Keyset pages of the product list: ``?cursor=`` instead of ``?page=``.

A page number skips every entry before the page (OFFSET): 43 ms of PostgreSQL 80% of
the way down 100,000 products. A cursor names the entry a page starts after (or ends
before) by its place in the list's order, the values of the ordering's fields (the sort
key, then the slug, unique in a channel), so the next page is read from that place in
the list's index, whatever its depth.

Why not DRF's ``CursorPagination``: it keeps the position of the first ordering field
only and steps over equal values by an offset (a price a hundred products share costs a
hundred rows skipped, and its pages shift when one of them changes), the list's first
ordering field is the channel (one value per list, see ``ProductFilter.ordering_fields``),
it answers a bad cursor with a 404, and it pages querysets, not the list's cards.

A cursor is opaque to the storefront: the ordering's fields, their values and the
direction, as JSON, signed with the site's key (``django.core.signing``), so a changed
cursor is refused rather than read; a cursor of another ordering (or of the name in the
other language) is refused too. Every refusal is a 400 ``invalid_cursor``. When the key
is rotated, cursors signed with the keys in ``SECRET_KEY_FALLBACKS`` are still read, so a
shopper scrolling through the rotation keeps their place.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core import signing
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shop.core.errors import ShopError

# Above the longest cursor the list gives, about 1,700 characters (a name of 200 Chinese
# characters, escaped in JSON, then in base64); the whole URL's bound is 4,096 bytes.
CURSOR_MAX_LENGTH = 2048
_VERSION = 1
_LEAD = "channel_id"  # the ordering's first field: one value in any list, not in the key
_NAMES = ("name_zh", "name_en")


class InvalidCursor(ShopError):
    code = "invalid_cursor"
    status_code = 400
    message = gettext_lazy("The cursor is not valid.")

    def __init__(self, reason: str) -> None:
        super().__init__(fields={"cursor": [reason]})


@dataclass(frozen=True)
class ListCursor:
    """A place in the list: the page after (or, ``before``, the page before) the entry
    whose ordering fields ``fields`` hold ``key``."""

    fields: tuple[str, ...]  # the ordering without its lead, e.g. ("-price_from", "slug")
    key: tuple[Any, ...]
    before: bool = False


def keyset_fields(ordering: Sequence[str]) -> tuple[str, ...]:
    """The fields of ``ordering`` that place an entry in its list (all but the channel)."""
    return tuple(field for field in ordering if field.lstrip("-") != _LEAD)


def cursor_encode(cursor: ListCursor) -> str:
    key = [_text(value) for value in cursor.key]
    return _signer().sign_object([_VERSION, ",".join(cursor.fields), key, int(cursor.before)])


def cursor_decode(text: str, ordering: Sequence[str]) -> ListCursor:
    """The cursor ``text`` stands for, in a list ordered by ``ordering``.

    Raises :class:`InvalidCursor` when it is not one the list gave, or was given for
    another ordering.
    """
    fields = keyset_fields(ordering)
    try:
        if len(text) > CURSOR_MAX_LENGTH:
            raise ValueError(len(text))
        version, written_for, key, before = _signer().unsign_object(text)
        if version != _VERSION or written_for != ",".join(fields):
            raise InvalidCursor(_("This cursor was given for another ordering or language."))
        if not isinstance(key, list) or before not in (0, 1):
            raise ValueError(text)
        values = tuple(
            _value(field.lstrip("-"), value) for field, value in zip(fields, key, strict=True)
        )
    except (signing.BadSignature, ValueError, TypeError, InvalidOperation):
        # Not signed here, or signed but not readable (a cursor of another version).
        raise InvalidCursor(
            _("This is not a cursor of this list; start again from page 1.")
        ) from None
    return ListCursor(fields=fields, key=values, before=bool(before))


def _signer() -> signing.Signer:
    # Made per cursor: the signer reads the key and its fallbacks when it is made.
    return signing.Signer(salt="catalog.list_cursor", sep=".")


def _text(value: Any) -> str:
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return str(value)


def _value(field: str, value: Any) -> Any:
    """A key's value read back from its JSON as the field's type."""
    if not isinstance(value, str):
        raise TypeError(field)
    if field == "price_from":
        price = Decimal(value)
        if not price.is_finite():
            raise ValueError(value)
        return price
    if field == "created_at":
        moment = datetime.datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError(value)
        return moment
    if field == "slug" or field in _NAMES:
        return value
    raise ValueError(field)


def entries_from_cursor(
    entries: QuerySet[Any], ordering: Sequence[str], cursor: ListCursor
) -> QuerySet[Any]:
    """The entries after the cursor's place in ``ordering`` (before it, nearest first,
    when the cursor points backwards)."""
    names = [field.lstrip("-") for field in cursor.fields]
    steps = [_step(field, cursor.before) for field in cursor.fields]
    # (a, b) after (x, y): a beyond x, or a = x and b beyond y.
    beyond = Q()
    for at, name in enumerate(names):
        equal = dict(zip(names[:at], cursor.key[:at], strict=True))
        beyond |= Q(**equal, **{f"{name}__{steps[at]}": cursor.key[at]})
    # The first field's bound stated alone too: the index is read from the cursor's place
    # on, not from the start of the list.
    bound = Q(**{f"{names[0]}__{steps[0]}e": cursor.key[0]}) if len(names) > 1 else Q()
    order = [_reversed(field) for field in ordering] if cursor.before else list(ordering)
    return entries.filter(beyond, bound).order_by(*order)


def _step(field: str, before: bool) -> str:
    """``gt`` or ``lt``: the way past the cursor along ``field``, in the direction read."""
    return "lt" if field.startswith("-") != before else "gt"


def _reversed(field: str) -> str:
    return field[1:] if field.startswith("-") else f"-{field}"
