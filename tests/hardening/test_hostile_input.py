"""Hostile bodies on every endpoint that takes one: a 4xx in the error shape, never a
500, and nothing stored.

Every POST, PUT and PATCH endpoint under /api/v1/ is found from the URL resolver (as the
authorization matrix finds them) and gets the same bodies: nested 1,000 and 100,000
levels deep, over the size limit, with NaN, Infinity or a 101-digit integer, of the
wrong top-level type, not UTF-8, with a key named twice, with a NUL character, cut
short, and JSON sent as another content type. Each endpoint's answers are exact, and
the row counts of every table of the shop are the same afterwards.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings

from tests.factories.demo_shop import DemoShop
from tests.hardening.authz import Endpoint
from tests.hardening.hostile import JSON, WRITES, assert_error_shape, rows, send, takes_json


def hostile_bodies() -> dict[str, tuple[bytes, str, int, str]]:
    """name -> (body, content type, status, code) a JSON endpoint must answer with."""
    limit = settings.SHOP_JSON_BODY_MAX_BYTES
    return {
        "nested_1000": (b"[" * 1_000 + b"]" * 1_000, JSON, 400, "too_deep"),
        "nested_objects_1000": (b'{"a":' * 1_000 + b"1" + b"}" * 1_000, JSON, 400, "too_deep"),
        "nested_100000_unclosed": (b"[" * 100_000, JSON, 400, "too_deep"),
        "oversized": (b'{"note": "' + b"x" * limit + b'"}', JSON, 413, "payload_too_large"),
        "nan": (b'{"quantity": NaN, "amount": NaN}', JSON, 400, "invalid_number"),
        "infinity": (b'{"amount": -Infinity}', JSON, 400, "invalid_number"),
        "integer_10_pow_100": (b'{"quantity": 1' + b"0" * 100 + b"}", JSON, 400, "invalid_number"),
        "list": (b'[{"quantity": 1}]', JSON, 400, "not_an_object"),
        "string": (b'"hello"', JSON, 400, "not_an_object"),
        "number": (b"42", JSON, 400, "not_an_object"),
        "null": (b"null", JSON, 400, "not_an_object"),
        "not_utf8": (b'{"note": "\xff\xfe"}', JSON, 400, "invalid_encoding"),
        "lone_surrogate": (b'{"note": "\\ud800"}', JSON, 400, "invalid_encoding"),
        "duplicate_key": (b'{"quantity": 1, "quantity": 2}', JSON, 400, "duplicate_key"),
        "nul": (b'{"note": "a\\u0000b"}', JSON, 400, "invalid_character"),
        "truncated": (b'{"quantity": 1, "note": "ab', JSON, 400, "parse_error"),
        "json_as_text": (b'{"quantity": 1}', "text/plain", 415, "unsupported_media_type"),
        "json_as_multipart": (
            b'{"quantity": 1}',
            "multipart/form-data; boundary=xyz",
            415,
            "unsupported_media_type",
        ),
        "form_as_json": (b"quantity=1&amount=2", JSON, 400, "parse_error"),
    }


def test_every_write_is_driven():
    assert len(WRITES) >= 30
    assert {
        "POST /api/v1/payments/stripe/webhook/",
        "PATCH /api/v1/carts/<uuid:token>/checkout/",
        "POST /api/v1/staff/stock/import/",
    } <= {str(endpoint) for endpoint in WRITES}


# What an endpoint that takes no JSON answers a multipart form without its fields: the
# file imports say the import was refused; the others as below.
FORMS_WITHOUT_THEIR_FIELDS = {
    # Alipay posts its notifications form-encoded, never as multipart.
    "POST /api/v1/payments/alipay/notify/": (415, "unsupported_media_type"),
    # An issued fapiao needs its file.
    "POST /api/v1/staff/orders/<str:number>/fapiao/issue/": (400, "invalid"),
}


@pytest.mark.parametrize("endpoint", WRITES, ids=str)
def test_hostile_bodies_are_refused_and_store_nothing(
    demo_shop: DemoShop, db: Any, endpoint: Endpoint
):
    json_endpoint = takes_json(demo_shop, endpoint)
    before = rows()
    answers = {}
    for name, (body, content_type, status, code) in hostile_bodies().items():
        response = send(demo_shop, endpoint, body, content_type)
        if not json_endpoint and content_type == JSON:  # a file upload takes no JSON
            status, code = 415, "unsupported_media_type"
        elif not json_endpoint and content_type.startswith("multipart/"):
            status, code = FORMS_WITHOUT_THEIR_FIELDS.get(str(endpoint), (400, "import_rejected"))
        answers[name] = (response.status_code, assert_error_shape(response)["code"])
        assert answers[name] == (status, code), (name, response.content[:300])
    assert rows() == before


# Endpoints that read their body, and who may reach that far.
BODY_READERS = {
    "POST /api/v1/auth/sign-in/": "anonymous",
    "POST /api/v1/carts/<uuid:token>/lines/": "shopper",
    "PATCH /api/v1/carts/<uuid:token>/checkout/": "shopper",
    "POST /api/v1/orders/": "anonymous",
    "POST /api/v1/staff/stock/<int:stock_id>/adjust/": "superuser",
    "POST /api/v1/payments/stripe/webhook/": "anonymous",
}


@pytest.mark.parametrize("endpoint", [e for e in WRITES if str(e) in BODY_READERS], ids=str)
def test_the_parser_refuses_them_without_the_middleware(demo_shop: DemoShop, db: Any, endpoint):
    middleware = [m for m in settings.MIDDLEWARE if not m.endswith("RequestLimitsMiddleware")]
    role = BODY_READERS[str(endpoint)]
    before = rows()
    with override_settings(MIDDLEWARE=middleware):
        for name, (body, content_type, status, code) in hostile_bodies().items():
            response = send(demo_shop, endpoint, body, content_type, role=role)
            if str(endpoint).endswith("/webhook/"):
                # Read raw and unsigned: refused for its signature, whatever it holds.
                status, code = 400, "invalid_signature"
            assert (response.status_code, response.json()["code"]) == (status, code), name
    assert rows() == before
