"""The values of a CSV cell: text, slugs, whole numbers, true or false, amounts in yuan;
each refuses a bad value with :class:`~catalog.csv.files.RowInvalid`."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from catalog.csv.files import RowInvalid

MAX_PRICE = Decimal("9999999999.99")
MAX_INTEGER = 2_147_483_647
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
_TRUE = {"", "1", "true", "yes", "y"}
_FALSE = {"0", "false", "no", "n"}


def text_value(values: dict[str, str], column: str, max_length: int, *, required: bool) -> str:
    value = values[column]
    if required and not value:
        raise RowInvalid(column, _("This field is required."))
    if len(value) > max_length:
        raise RowInvalid(column, _("At most %(count)s characters.") % {"count": max_length})
    return value


def slug_value(values: dict[str, str], column: str, max_length: int) -> str:
    value = text_value(values, column, max_length, required=True)
    if not _SLUG.match(value):
        raise RowInvalid(column, _("Only letters, digits, '-' and '_'."))
    return value


def integer_value(values: dict[str, str], column: str, *, minimum: int, default: int | None) -> Any:
    value = values[column]
    if value == "":
        if default is None:
            raise RowInvalid(column, _("This field is required."))
        return default
    if not re.fullmatch(r"-?\d+", value):
        raise RowInvalid(column, _("Must be a whole number."))
    number = int(value)
    if number < minimum:
        raise RowInvalid(column, _("Must be at least %(minimum)s.") % {"minimum": minimum})
    if number > MAX_INTEGER:
        raise RowInvalid(column, _("Too large."))
    return number


def optional_positive_value(values: dict[str, str], column: str) -> int | None:
    if values[column] == "":
        return None
    return int(integer_value(values, column, minimum=1, default=None))


def boolean_value(values: dict[str, str], column: str) -> bool:
    value = values[column].lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise RowInvalid(column, _("Use true or false."))


def price_value(values: dict[str, str], column: str) -> Decimal:
    value = values[column]
    if not value:
        raise RowInvalid(column, _("This field is required."))
    try:
        price = Decimal(value)
    except InvalidOperation as exc:
        raise RowInvalid(column, _("Must be an amount in yuan, like 128.00.")) from exc
    if not price.is_finite() or price < 0 or price > MAX_PRICE:
        raise RowInvalid(column, _("Must be an amount between 0.00 and 9999999999.99."))
    exponent = price.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise RowInvalid(column, _("At most two decimal places (fen)."))
    return price.quantize(Decimal("0.01"))
