"""Sending hostile requests to the endpoints the URL resolver lists, as a caller who may
reach each one, and checking what comes back and what was stored."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from django.apps import apps
from django.urls import resolve
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from shop.core.json_parser import JSONBodyParser
from tests.factories import ADDRESS
from tests.factories.demo_shop import DemoShop
from tests.hardening.authz import CHANNEL_SCOPED, Endpoint, api_endpoints, concrete_path

WRITES = [e for e in api_endpoints() if e.method in ("post", "put", "patch")]
READS = [e for e in api_endpoints() if e.method == "get"]
JSON = "application/json"
_SHOP_MODULES = (
    "shop.",
    "catalog.",
    "fulfillment.",
    "partners.",
    "rest_framework.authtoken.",
    "knox.",
)


def rows() -> dict[str, int]:
    """How many rows each of the shop's tables holds (and the API tokens')."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model.__module__.startswith(_SHOP_MODULES)
    }


def path_for(demo_shop: DemoShop, endpoint: Endpoint) -> str:
    path = concrete_path(demo_shop, endpoint)
    if path.startswith(CHANNEL_SCOPED) or str(endpoint) == "POST /api/v1/orders/":
        path += "?channel=museum-web"  # storefront calls name their channel
    return path


def role_for(endpoint: Endpoint) -> str:
    """Who may reach the objects the endpoint's path names (see ``concrete_path``): the
    shopper for their cart and orders, a superuser for everything else."""
    shoppers = ("/api/v1/carts/<uuid:token>/", "/api/v1/orders/<str:number>/")
    return "shopper" if endpoint.route.startswith(shoppers) else "superuser"


def send(
    demo_shop: DemoShop,
    endpoint: Endpoint,
    body: bytes,
    content_type: str = JSON,
    role: str | None = None,
) -> Any:
    """As someone who may call the endpoint, so an answer is about the body only."""
    return APIClient().generic(
        endpoint.method.upper(),
        path_for(demo_shop, endpoint),
        body,
        content_type=content_type,
        headers={
            **demo_shop.headers(role or role_for(endpoint)),
            "Idempotency-Key": "hostile-input",
        },
    )


def takes_json(demo_shop: DemoShop, endpoint: Endpoint) -> bool:
    view_class = resolve(concrete_path(demo_shop, endpoint)).func.cls  # type: ignore[attr-defined]
    return any(issubclass(parser, JSONBodyParser) for parser in view_class.parser_classes)


def assert_error_shape(response: Any) -> dict:
    assert response["Content-Type"].startswith(JSON), response.content[:200]
    body = response.json()
    assert set(body) >= {"code", "message", "fields"}, body
    assert isinstance(body["code"], str) and body["code"], body
    assert isinstance(body["message"], str) and body["message"], body
    assert isinstance(body["fields"], dict), body
    return body


def assert_no_server_error(response: Any, context: Any) -> None:
    assert response.status_code < 500, (context, response.status_code, response.content[:300])
    if response.status_code >= 400:
        assert_error_shape(response)


@cache
def _schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def operation_of(endpoint: Endpoint) -> dict[str, Any]:
    """The endpoint's operation in the OpenAPI schema (whose path parameters may be named
    differently from the URL pattern's)."""
    shape = re.sub(r"<[^>]+>", "{}", endpoint.route)
    for path, operations in _schema()["paths"].items():
        if re.sub(r"\{[^}]+\}", "{}", path) == shape:
            return dict(operations.get(endpoint.method, {}))
    raise LookupError(str(endpoint))


def documented_fields(endpoint: Endpoint) -> list[str]:
    content = operation_of(endpoint).get("requestBody", {}).get("content", {}).get(JSON, {})
    ref = content.get("schema", {}).get("$ref", "")
    component = _schema()["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {})
    return sorted(component.get("properties", {}))


def documented_query(endpoint: Endpoint) -> list[str]:
    return sorted(
        p["name"] for p in operation_of(endpoint).get("parameters", []) if p["in"] == "query"
    )


def valid_body(demo_shop: DemoShop, endpoint: Endpoint) -> dict[str, Any]:
    """A body that passes the endpoint's checks, for the wrong values to replace."""
    from tests.hardening.authz import body_for

    sku = demo_shop.stocks["a"].variant.sku
    details = {
        "email": "hostile@example.com",
        "shipping_address": ADDRESS,
        "shipping_method": "standard",
    }
    bodies: dict[str, dict[str, Any]] = {
        "POST /api/v1/auth/sign-in/": {"email": "shopper@example.com", "password": "x"},
        "POST /api/v1/auth/register/": {"email": "new@example.com", "password": "Long-pass-1"},
        "POST /api/v1/carts/<uuid:token>/lines/": {"sku": sku, "quantity": 1},
        "PATCH /api/v1/carts/<uuid:token>/checkout/": details,
        "POST /api/v1/carts/": {"lines": [{"sku": sku, "quantity": 1}], **details},
        "POST /api/v1/orders/": {
            "lines": [{"sku": sku, "quantity": 1}],
            "payment_provider": "fake",
            **details,
        },
    }
    return bodies.get(str(endpoint)) or body_for(demo_shop, endpoint)
