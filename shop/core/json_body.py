"""JSON request bodies: bounded in size and depth before they are parsed, strict after.

Python's ``json`` module parses nested arrays and objects by recursion, so a 2 KB body
of a thousand ``[`` ends in a RecursionError, and every integer or float it meets is
converted whatever its size. Every JSON body the shop reads goes through
:func:`json_body_load` instead, which refuses, each with its own stable code:

- a body over ``SHOP_JSON_BODY_MAX_BYTES`` (413 ``payload_too_large``), before reading it
  when its Content-Length says so;
- bytes that are not UTF-8 (``invalid_encoding``);
- nesting deeper than ``SHOP_JSON_MAX_DEPTH``, found by scanning the bytes without
  recursion before ``json`` sees them (``too_deep``);
- anything that is not JSON (``parse_error``);
- ``NaN``, ``Infinity`` and integers beyond 64 bits (``invalid_number``); numbers with a
  fraction or an exponent become ``Decimal``, never float: they are usually money;
- an object naming the same key twice (``duplicate_key``): which value wins differs
  between parsers, so a body must not leave it open;
- text holding NUL characters, which PostgreSQL cannot store or compare, and unpaired
  surrogates, which are not text at all (``invalid_character``, ``invalid_encoding``).

:class:`shop.core.json_parser.JSONBodyParser` is the API's only JSON parser;
``RequestLimitsMiddleware`` runs the same checks on every JSON body before the view runs,
so a view that never reads its body refuses a hostile one all the same.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from shop.core.errors import ShopError

# A JSON string, escapes included.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_OPENING = frozenset(b"[{")
_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")
# Escapes of characters that need a look at the parsed strings: NUL and the surrogates.
_SUSPECT_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")
_INTEGER_MAX = 2**63 - 1
_INTEGER_DIGITS_MAX = len(str(_INTEGER_MAX))


class PayloadTooLarge(ShopError):
    code = "payload_too_large"
    status_code = 413
    message = _("The request body is too large.")


class BodyTooDeep(ShopError):
    code = "too_deep"
    message = _("The request body is nested too deeply.")


class InvalidEncoding(ShopError):
    code = "invalid_encoding"
    message = _("The request body is not valid UTF-8 text.")


class InvalidCharacter(ShopError):
    code = "invalid_character"
    message = _("The request must not contain NUL characters.")


class InvalidJson(ShopError):
    code = "parse_error"
    message = _("The request body is not valid JSON.")


class InvalidNumber(ShopError):
    code = "invalid_number"
    message = _("NaN and Infinity are not numbers this API accepts.")


class DuplicateKey(ShopError):
    code = "duplicate_key"
    message = _("An object in the request body names the same key twice.")


class BodyNotObject(ShopError):
    code = "not_an_object"
    message = _("The request body must be a JSON object.")


def body_max_bytes() -> int:
    return int(settings.SHOP_JSON_BODY_MAX_BYTES)


def declared_length_check(meta: dict[str, Any]) -> None:
    """Refuse a body whose Content-Length is over the limit, before reading any of it."""
    try:
        declared = int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > body_max_bytes():
        raise PayloadTooLarge()


def depth_check(raw: bytes, max_depth: int) -> None:
    """Refuse nesting deeper than ``max_depth``, counting brackets outside strings.

    Iterative on purpose: the point is to never recurse on what a caller sent. Most
    bodies have fewer brackets than the limit and are not scanned at all. A string that
    is never closed makes the body invalid JSON, refused here because the brackets after
    its opening quote could no longer be told apart from the real ones."""
    if raw.count(b"[") + raw.count(b"{") <= max_depth:
        return
    outside_strings = _STRING.sub(b"", raw)
    if b'"' in outside_strings:
        raise InvalidJson()
    depth = 0
    for bracket in outside_strings.translate(None, _NOT_BRACKETS):
        if bracket in _OPENING:
            depth += 1
            if depth > max_depth:
                raise BodyTooDeep()
        else:
            depth -= 1


def _refuse_constant(name: str) -> Any:
    raise InvalidNumber()


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > _INTEGER_DIGITS_MAX or abs(int(digits)) > _INTEGER_MAX:
        raise InvalidNumber(_("An integer in the request body is too large."))
    return int(digits)


def _exact_decimal(literal: str) -> Decimal:
    try:
        number = Decimal(literal)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise InvalidNumber(_("A number in the request body is too large."))
    return number


def finite_float(literal: str) -> float:
    """For bodies that are stored as they came (a provider's event), not used as money."""
    number = float(literal)
    if not math.isfinite(number):
        raise InvalidNumber(_("A number in the request body is too large."))
    return number


def _object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise DuplicateKey()
    return obj


def _strings_check(value: Any) -> None:
    """Refuse NUL characters and unpaired surrogates in any key or string of ``value``."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, str):
            if "\x00" in item:
                raise InvalidCharacter()
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise InvalidEncoding() from None


def json_body_load(
    raw: bytes,
    *,
    max_bytes: int | None = None,
    max_depth: int | None = None,
    parse_float: Callable[[str], Any] = _exact_decimal,
) -> Any:
    """``raw`` parsed as JSON, or one of this module's errors (a :class:`ShopError`)."""
    if len(raw) > (body_max_bytes() if max_bytes is None else max_bytes):
        raise PayloadTooLarge()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidEncoding() from None
    depth_check(raw, int(settings.SHOP_JSON_MAX_DEPTH) if max_depth is None else max_depth)
    try:
        value = json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_int=_bounded_int,
            parse_float=parse_float,
            object_pairs_hook=_object_without_duplicates,
        )
    except RecursionError:
        # Only when SHOP_JSON_MAX_DEPTH is set higher than Python's recursion allows.
        raise BodyTooDeep() from None
    except json.JSONDecodeError as exc:
        raise InvalidJson(
            _("The request body is not valid JSON (line %(line)s, column %(column)s).")
            % {"line": exc.lineno, "column": exc.colno}
        ) from None
    if _SUSPECT_ESCAPE.search(raw):
        _strings_check(value)
    return value


def json_object_load(raw: bytes) -> dict[str, Any]:
    """An API request body: a JSON object, checked as :func:`json_body_load` does."""
    value = json_body_load(raw)
    if not isinstance(value, dict):
        raise BodyNotObject()
    return value
