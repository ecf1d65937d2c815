"""Fuzzing the whole API from its own OpenAPI schema, signed in as each kind of user.

For every operation the schema lists and every kind of caller, schemathesis generates
valid and invalid requests (bodies, query strings, headers, path parameters; half the
time with path parameters that name real objects of the shop, so requests get past
the 404s) and sends them to the WSGI application in this process. Every answer must:

- never be a server error (5xx);
- have a status code the schema documents for the operation, a documented content
  type, and a body that matches the documented schema;
- when it is a client error (4xx), have the error shape ``{"code", "message", "fields"}``.

The shop's data is the demo catalog with orders in every state (``demo_shop``); each test
runs in a savepoint that is rolled back, so what one test changes, the next never sees.

Nothing is left out: the Stripe webhook is fuzzed too (without a valid signature it must
answer 400 in the error shape) and the CSV imports get generated multipart bodies.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from catalog.models import Collection
from shop.wsgi import application
from tests.factories.demo_shop import DemoShop

SCHEMA = schemathesis.openapi.from_wsgi("/api/schema/", application)
OPERATIONS = {
    f"{op.method.upper()} {op.path}": op
    for op in (result.ok() for result in SCHEMA.get_all_operations())
}
ROLES = ("anonymous", "shopper", "channel_a", "staff_a", "viewer_a", "superuser")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 15
PUBLIC_CHANNEL = "museum-web"


def path_hints(demo_shop: DemoShop, role: str, path: str) -> dict[str, Any]:
    """Path parameters that name real objects the role may (or may not) reach."""
    own_order = demo_shop.orders["pending"]
    paid = demo_shop.orders["paid_a"]
    hints: dict[str, Any] = {
        "slug": "none",
        "number": own_order.number,
        "token": str(
            (demo_shop.carts["a"] if role == "channel_a" else demo_shop.carts["shopper"]).token
        ),
        "line_id": 1,
        "stock_id": demo_shop.stocks["a"].pk,
        "shipment_id": demo_shop.shipments["a"].pk,
        "return_id": demo_shop.returns["a"].pk,
        "payment_id": demo_shop.payments["paid_a"].pk,
        "settlement_id": demo_shop.settlements["a"].pk,
        "fmt": "csv",
        "code": PUBLIC_CHANNEL,
    }
    if "/products/" in path:
        hints["slug"] = demo_shop.stocks["a"].variant.product.slug
    elif "/collections/" in path:
        hints["slug"] = Collection.objects.order_by("pk").values_list("slug", flat=True)[0]
    if "/staff/" in path:
        hints["number"] = paid.number
    if "/returns/" in path and "/staff/" not in path:
        hints["number"] = demo_shop.orders["delivered"].number
    if "warehouses" in path:
        hints["code"] = demo_shop.warehouses["a"].code
    return hints


def strategy_for(demo_shop: DemoShop, role: str, label: str) -> st.SearchStrategy:
    operation = OPERATIONS[label]
    names = {p.name for p in operation.path_parameters}
    hints = {k: v for k, v in path_hints(demo_shop, role, operation.path).items() if k in names}
    query = {} if role.startswith("channel_") else {"channel": PUBLIC_CHANNEL}
    query = {k: v for k, v in query.items() if k in {p.name for p in operation.query}}
    strategies = [
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    ]
    if hints or query:
        strategies.append(
            operation.as_strategy(
                generation_mode=GenerationMode.POSITIVE,
                path_parameters=hints or None,
                query=query or None,
            )
        )
    return st.one_of(strategies)


def error_shape_check(response: Any) -> None:
    if not 400 <= response.status_code < 500:
        return
    body = json.loads(response.content)
    assert isinstance(body, dict), body
    assert {"code", "message", "fields"} <= set(body), body
    assert isinstance(body["code"], str) and body["code"], body
    assert isinstance(body["message"], str), body
    assert isinstance(body["fields"], dict), body


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_every_answer_follows_the_schema(
    demo_shop: DemoShop, db: Any, wsgi_keeps_connection: None, role: str, label: str
) -> None:
    headers = demo_shop.headers(role)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
        # CI sees the same examples every run; FUZZ_RANDOM=1 explores new ones.
        derandomize=os.environ.get("FUZZ_RANDOM") != "1",
    )
    @given(case=strategy_for(demo_shop, role, label))
    def answers_by_the_schema(case: Any) -> None:
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS)
        error_shape_check(response)

    answers_by_the_schema()


def test_the_fuzzer_sees_every_api_operation() -> None:
    """A new endpoint joins the fuzzing by itself: every /api/v1/ view is in the schema."""
    assert len(OPERATIONS) >= 70
    assert all(label.split()[1].startswith("/api/v1/") for label in OPERATIONS)
