"""JSON bodies: bounded in size and depth before parsing, strict after; and the API's
parser on its own, without the middleware that usually checks bodies first."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from shop.core.json_body import (
    BodyNotObject,
    BodyTooDeep,
    DuplicateKey,
    InvalidCharacter,
    InvalidEncoding,
    InvalidJson,
    InvalidNumber,
    PayloadTooLarge,
    finite_float,
    json_body_load,
    json_object_load,
)
from shop.core.json_parser import JSONBodyParser


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def test_nesting_up_to_the_limit_is_parsed_and_one_more_level_is_refused(settings):
    settings.SHOP_JSON_MAX_DEPTH = 32

    assert json_body_load(nested(32)) == eval("[" * 32 + "]" * 32)
    with pytest.raises(BodyTooDeep):
        json_body_load(nested(33))


@pytest.mark.parametrize("depth", [1_000, 100_000, 1_000_000])
def test_deep_bodies_are_refused_without_recursion(depth):
    with pytest.raises(BodyTooDeep) as refused:
        json_body_load(b'{"a":' * depth + b"1" + b"}" * depth, max_bytes=10_000_000)
    assert (refused.value.code, refused.value.status_code) == ("too_deep", 400)


def test_unclosed_deep_bodies_are_refused_as_too_deep():
    with pytest.raises(BodyTooDeep):
        json_body_load(b"[" * 100_000)


def test_brackets_inside_strings_do_not_count_as_nesting(settings):
    settings.SHOP_JSON_MAX_DEPTH = 3  # the object, its list of lines, a line
    body = b'{"note": "[[[[{{{{ \\" ]]]] \\\\", "lines": [{"sku": "[{["}]}'

    assert json_body_load(body) == {"note": '[[[[{{{{ " ]]]] \\', "lines": [{"sku": "[{["}]}


def test_a_string_never_closed_is_invalid_json_even_when_brackets_follow():
    with pytest.raises(InvalidJson):
        json_body_load(b'{"a": "' + b"[" * 10_000)


def test_a_body_over_the_limit_is_refused_before_decoding(settings):
    settings.SHOP_JSON_BODY_MAX_BYTES = 100
    exactly = b'{"a": "' + b"x" * 91 + b'"}'
    assert len(exactly) == 100

    assert json_body_load(exactly) == {"a": "x" * 91}
    with pytest.raises(PayloadTooLarge) as refused:
        json_body_load(exactly + b" ")
    assert (refused.value.code, refused.value.status_code) == ("payload_too_large", 413)


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity"])
def test_nan_and_infinity_are_refused(literal):
    with pytest.raises(InvalidNumber) as refused:
        json_body_load(b'{"amount": ' + literal + b"}")
    assert refused.value.code == "invalid_number"


def test_numbers_with_a_fraction_or_an_exponent_are_exact_decimals():
    assert json_body_load(b'{"amount": 0.1, "big": 1e400, "small": -2.50}') == {
        "amount": Decimal("0.1"),
        "big": Decimal("1E+400"),
        "small": Decimal("-2.50"),
    }


def test_an_exponent_beyond_what_a_decimal_holds_is_refused():
    with pytest.raises(InvalidNumber):
        json_body_load(b'{"amount": 1e9999999999999999999999999}')


def test_integers_up_to_64_bits_are_kept_and_larger_ones_refused():
    assert json_body_load(b'{"q": 9223372036854775807, "r": -9223372036854775807}') == {
        "q": 2**63 - 1,
        "r": -(2**63 - 1),
    }
    for literal in (b"9223372036854775808", b"1" + b"0" * 100, b"1" * 5000):
        with pytest.raises(InvalidNumber):
            json_body_load(b'{"quantity": ' + literal + b"}", max_bytes=10_000)


def test_a_stored_provider_body_may_hold_floats_but_only_finite_ones():
    assert json_body_load(b'{"rate": 0.25}', parse_float=finite_float) == {"rate": 0.25}
    with pytest.raises(InvalidNumber):
        json_body_load(b'{"rate": 1e400}', parse_float=finite_float)


def test_a_key_named_twice_is_refused_at_any_depth():
    with pytest.raises(DuplicateKey) as refused:
        json_body_load(b'{"lines": [{"sku": "A", "quantity": 1, "quantity": 1000}]}')
    assert refused.value.code == "duplicate_key"


@pytest.mark.parametrize(
    "body",
    [b'{"a": "\xff"}', b'{"a": "\xc0\x80"}', b"\xef\xbb\xbf{}", b'{"a": "\xed\xa0\x80"}'],
    ids=["invalid_byte", "overlong_nul", "bom", "encoded_surrogate"],
)
def test_bytes_that_are_not_utf8_text_are_refused(body):
    with pytest.raises((InvalidEncoding, InvalidJson)) as refused:
        json_body_load(body)
    assert refused.value.status_code == 400


@pytest.mark.parametrize(
    "body", [b'{"a": "\\ud800"}', b'{"\\udfff": 1}', b'{"a": ["x", {"b": "\\uDBFF"}]}']
)
def test_unpaired_surrogates_are_refused(body):
    with pytest.raises(InvalidEncoding):
        json_body_load(body)


def test_paired_surrogates_are_text():
    assert json_body_load(b'{"a": "\\ud83d\\ude00"}') == {"a": "\U0001f600"}


@pytest.mark.parametrize("body", [b'{"a": "x\\u0000y"}', b'{"\\u0000": 1}', b'[["\\u0000"]]'])
def test_nul_characters_are_refused_in_keys_and_strings(body):
    with pytest.raises(InvalidCharacter) as refused:
        json_body_load(body)
    assert refused.value.code == "invalid_character"


def test_an_escaped_backslash_before_u0000_is_plain_text():
    assert json_body_load(b'{"a": "\\\\u0000"}') == {"a": "\\u0000"}


@pytest.mark.parametrize("body", [b"", b"{", b"{'a': 1}", b'{"a": 1,}', b"{} {}", b"\x00"])
def test_what_is_not_json_is_a_parse_error(body):
    with pytest.raises(InvalidJson) as refused:
        json_body_load(body)
    assert (refused.value.code, refused.value.status_code) == ("parse_error", 400)


@pytest.mark.parametrize("body", [b"[]", b'"text"', b"42", b"null", b"true", b"1.5"])
def test_an_api_body_must_be_an_object(body):
    with pytest.raises(BodyNotObject) as refused:
        json_object_load(body)
    assert refused.value.code == "not_an_object"


def _parsed_by_the_parser_alone(body: bytes) -> object:
    request = Request(
        APIRequestFactory().post("/", body, content_type="application/json"),
        parsers=[JSONBodyParser()],
    )
    return request.data


def test_the_parser_alone_refuses_what_the_middleware_would(settings):
    settings.SHOP_JSON_BODY_MAX_BYTES = 3000

    assert _parsed_by_the_parser_alone(b'{"quantity": 2}') == {"quantity": 2}
    with pytest.raises(BodyTooDeep):
        _parsed_by_the_parser_alone(nested(1_000))
    with pytest.raises(PayloadTooLarge):
        _parsed_by_the_parser_alone(b'{"a": "' + b"x" * 3000 + b'"}')
    with pytest.raises(InvalidNumber):
        _parsed_by_the_parser_alone(b'{"quantity": NaN}')
    with pytest.raises(BodyNotObject):
        _parsed_by_the_parser_alone(b"[1]")
