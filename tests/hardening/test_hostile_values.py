"""Well-formed requests carrying values of the wrong type or size, in bodies, query
strings and headers: never a 500, and every 4xx in the error shape.

The fields come from the OpenAPI schema of each endpoint (and, for lists of lines and
addresses, the fields inside them); each gets, one at a time inside an otherwise valid
body, a list, an object, text, nothing, a boolean, a negative number, a fraction, a
30-digit integer as text, 1e400 and 5,000 characters. Every GET endpoint gets odd
values for every query parameter it documents; the headers storefronts send
(Accept-Language, X-Channel-Key, Idempotency-Key, X-Request-ID) get huge and odd ones.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from tests.factories.demo_shop import DemoShop
from tests.hardening.authz import Endpoint
from tests.hardening.hostile import (
    READS,
    WRITES,
    assert_no_server_error,
    documented_fields,
    documented_query,
    path_for,
    send,
    takes_json,
    valid_body,
)

HUGE_NUMBER = "__huge_number__"
WRONG_VALUES: list[Any] = [
    [],
    {},
    [{"a": [1, {}]}],
    "x",
    "",
    None,
    True,
    -1,
    0.5,
    "1" + "0" * 30,  # a huge integer as text
    HUGE_NUMBER,  # 1e400 as a JSON number: finite, and far beyond any field
    "x" * 5_000,
]


def _encoded(body: dict[str, Any]) -> bytes:
    return json.dumps(body).replace(f'"{HUGE_NUMBER}"', "1e400").encode()


def wrong_bodies(base: dict[str, Any], fields: list[str]) -> list[tuple[str, bytes]]:
    """``base`` with one field (or one field of its first line or address) replaced."""
    bodies = []
    for field in fields:
        for value in WRONG_VALUES:
            bodies.append((f"{field}={value!r:.20}", _encoded({**base, field: value})))
        inner = base.get(field)
        item = inner[0] if isinstance(inner, list) and inner else inner
        if not isinstance(item, dict):
            continue
        for key in item:
            for value in WRONG_VALUES:
                changed = {**item, key: value}
                nested = [changed, *inner[1:]] if isinstance(inner, list) else changed
                bodies.append((f"{field}.{key}={value!r:.20}", _encoded({**base, field: nested})))
    return bodies


def test_the_fields_are_found_in_the_schema():
    fields = {str(e): documented_fields(e) for e in WRITES}

    assert fields["POST /api/v1/payments/<int:payment_id>/fake/confirm/"] == [
        "amount",
        "currency",
        "email",
        "outcome",
        "refunds_wait",
    ]
    assert fields["POST /api/v1/carts/<uuid:token>/lines/"] == [
        "personalisation",
        "quantity",
        "sku",
    ]
    assert sum(len(names) for names in fields.values()) >= 60


@pytest.mark.parametrize("endpoint", [e for e in WRITES if documented_fields(e)], ids=str)
def test_documented_fields_of_the_wrong_type_never_break_the_endpoint(
    demo_shop: DemoShop, db: Any, endpoint: Endpoint
):
    assert takes_json(demo_shop, endpoint)
    base = valid_body(demo_shop, endpoint)
    for label, body in wrong_bodies(base, documented_fields(endpoint)):
        assert_no_server_error(send(demo_shop, endpoint, body), label)


ODD_QUERY_VALUES = [
    "1" + "0" * 30,
    "-1",
    "0",
    "x" * 3_000,
    "%FF%FE",  # not UTF-8 once decoded
    "%EF%BF%BF",
    "[]",
    "null",
    "%C3%A9",
    "2025-13-45",
]


@pytest.mark.parametrize("endpoint", READS, ids=str)
def test_odd_query_values_never_break_a_read(demo_shop: DemoShop, db: Any, endpoint: Endpoint):
    names = [name for name in documented_query(endpoint) if name != "channel"]
    client = APIClient()
    for value in ODD_QUERY_VALUES:
        url = path_for(demo_shop, endpoint)
        query = "&".join(f"{name}={value}" for name in [*names, "q", "lang"])
        url += ("&" if "?" in url else "?") + query
        response = client.get(url, headers=demo_shop.headers("superuser"))
        assert_no_server_error(response, value[:20])


ODD_HEADER_VALUES = [
    "x" * 8_000,
    "\u00e9\u00ff" * 100,  # bytes beyond ASCII, as WSGI hands them over
    " ",
    ",,,;;;q=nan,en;q=1e400,zh;q=-inf",
    "*;q=0.5, en-US;q=abc, zh-Hant-TW-x-private-0123456789",
    "chk_",
    "chk___",
    "chk_" + "a" * 150 + "_" + "b" * 40,
    "chk_\u00e9_\u00e9",
    "chk_museum-web_" + "z" * 43,
]


@pytest.mark.parametrize(
    ("method", "path", "header"),
    [
        ("get", "/api/v1/products/?channel=museum-web", "Accept-Language"),
        ("get", "/api/v1/collections/", "Accept-Language"),
        ("post", "/api/v1/carts/", "X-Channel-Key"),
        ("get", "/api/v1/products/", "X-Channel-Key"),
        ("post", "/api/v1/orders/?channel=museum-web", "Idempotency-Key"),
        ("get", "/api/v1/products/?channel=museum-web", "X-Request-ID"),
    ],
)
def test_huge_and_odd_headers_never_break_an_endpoint(
    demo_shop: DemoShop, db, method, path, header
):
    body = valid_body(demo_shop, Endpoint("post", "/api/v1/orders/"))
    for value in ODD_HEADER_VALUES:
        client = APIClient()
        if method == "get":
            response = client.get(path, headers={header: value})
        else:
            response = client.post(path, body, format="json", headers={header: value})
        assert_no_server_error(response, value[:20])


_COUNTS = [10**18, -(10**18), "1" + "0" * 30]  # beyond any integer column
_IDS = ["1" + "0" * 30]  # beyond any id (a JSON number this size is refused when parsed)
HUGE_INTEGERS = [
    *[("POST /api/v1/staff/stock/<int:stock_id>/adjust/", "delta", None, n) for n in _COUNTS],
    *[
        ("POST /api/v1/staff/stock/<int:stock_id>/count/", "counted_quantity", None, n)
        for n in _COUNTS
    ],
    *[
        ("POST /api/v1/staff/stock/<int:stock_id>/low-threshold/", "threshold", None, n)
        for n in _COUNTS
    ],
    *[("POST /api/v1/staff/stock/receive/", "quantity", None, n) for n in _COUNTS],
    *[("POST /api/v1/staff/stock/transfer/", "quantity", None, n) for n in _COUNTS],
    *[("POST /api/v1/orders/<str:number>/returns/", "lines", "line_id", n) for n in _IDS],
    *[
        ("POST /api/v1/staff/fulfillment/returns/<int:return_id>/receive/", "lines", "line_id", n)
        for n in _IDS
    ],
]


@pytest.mark.parametrize(("label", "field", "inner", "huge"), HUGE_INTEGERS)
def test_a_huge_integer_is_a_field_error_not_a_database_overflow(
    demo_shop: DemoShop, db: Any, label: str, field: str, inner: str | None, huge: Any
):
    endpoint = next(e for e in WRITES if str(e) == label)
    body = valid_body(demo_shop, endpoint)
    if inner is None:
        body[field] = huge
    else:
        body[field] = [{**body[field][0], inner: huge}]

    response = send(demo_shop, endpoint, json.dumps(body).encode())

    assert response.status_code == 400, response.content
    assert (response.json()["code"], list(response.json()["fields"])) == ("invalid", [field])
