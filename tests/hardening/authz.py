"""Every API endpoint from the URL resolver, and a concrete request for it in the demo shop."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories.demo_shop import DemoShop

ROLES = (
    "anonymous",
    "shopper",
    "other_shopper",
    "channel_a",
    "channel_b",
    "staff_a",
    "staff_b",
    "staff_nopartner",
    "viewer_a",
    "viewer_b",
    "superuser",
)
METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Endpoint:
    method: str
    route: str  # "/api/v1/orders/<str:number>/"

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.route}"


def _walk(patterns: list[Any], prefix: str) -> list[tuple[str, Any]]:
    found = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            found.append(("/" + route, pattern.callback))
    return found


def api_endpoints() -> list[Endpoint]:
    """Every method of every view under /api/v1/, from the resolver itself."""
    endpoints = []
    for route, callback in _walk(get_resolver().url_patterns, ""):
        view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
        if not route.startswith("/api/v1/") or view_class is None:
            continue
        endpoints += [Endpoint(m, route) for m in METHODS if hasattr(view_class, m)]
    return sorted(endpoints, key=str)


def concrete_path(demo_shop: DemoShop, endpoint: Endpoint) -> str:
    """The route with its parameters naming objects of partner A and of the shopper."""
    route = endpoint.route
    staff = "/api/v1/staff/" in route
    values = {
        "slug": demo_shop.stocks["a"].variant.product.slug,
        "token": str(demo_shop.carts["shopper"].token),
        "line_id": str(demo_shop.carts["shopper"].lines.get().pk),
        "number": (demo_shop.orders["paid_a"] if staff else demo_shop.orders["pending"]).number,
        "payment_id": str(demo_shop.payments["paid_a"].pk),
        "stock_id": str(demo_shop.stocks["a"].pk),
        "shipment_id": str(demo_shop.shipments["a"].pk),
        "return_id": str(demo_shop.returns["a"].pk),
        "settlement_id": str(demo_shop.settlements["a"].pk),
        "fmt": "csv",
        "reference": "fake_re_0",
        "code": demo_shop.warehouses["a"].code if "warehouses" in route else "museum-web",
    }
    if "<uuid:device_id>" in route:
        from shop.accounts.models import DeviceToken

        device = DeviceToken.objects.filter(user=demo_shop.users["shopper"]).first()
        values["device_id"] = str(device.device_id) if device else ""
    if "<int:import_id>" in route:  # a CSV import run by a task, made by partner A's staff
        from catalog.models import CsvImport

        made = CsvImport.objects.create(kind="stock", created_by=demo_shop.users["staff_a"])
        values["import_id"] = str(made.pk)
    if "<int:address_id>" in route:
        from shop.accounts.models import Address

        address, _ = Address.objects.get_or_create(
            user=demo_shop.users["shopper"],
            defaults={"name": "王小明", "phone": "13800000000", "street": "前海西街17号"},
        )
        values["address_id"] = str(address.pk)
    if "/collections/" in route:
        from catalog.models import Collection

        values["slug"] = Collection.objects.order_by("pk").values_list("slug", flat=True)[0]
    if "/returns/" in route and not staff:
        values["number"] = demo_shop.orders["delivered"].number
    if route.endswith("/tracking/"):
        values["number"] = demo_shop.orders["paid_a"].number

    if "/fapiao/" in route and "<str:number>" in route:
        from shop.orders.models import FapiaoRequest, Order

        order = Order.objects.get(number=values["number"])
        FapiaoRequest.objects.get_or_create(
            order=order, defaults={"title_type": "personal", "title": "李伟"}
        )

    def fill(match: re.Match[str]) -> str:
        return values[match.group(1)]

    path = re.sub(r"<(?:\w+:)?(\w+)>", fill, route)
    path = path.replace("\\.", ".")
    return path


CHANNEL_SCOPED = ("/api/v1/carts/", "/api/v1/channel/", "/api/v1/drops/")


def answer_class(status: int) -> str:
    """What the matrix records: refused (401, 403), hidden (404), or let in (anything else
    below 500: served, or turned down for the input rather than for who asks)."""
    if status >= 500:
        return f"server_error_{status}"
    if status in (401, 403, 404):
        return str(status)
    return "ok"


def body_for(demo_shop: DemoShop, endpoint: Endpoint) -> dict[str, Any]:
    """A body valid enough to pass input checks, so the answer is about who asks."""
    a_sku = demo_shop.stocks["a"].variant.sku
    a_code, b_code = demo_shop.warehouses["a"].code, demo_shop.warehouses["b"].code
    delivered_line = demo_shop.orders["delivered"].lines.get().pk
    bodies: dict[str, dict[str, Any]] = {
        "POST /api/v1/payments/<int:payment_id>/fake/confirm/": {"outcome": "decline"},
        "POST /api/v1/staff/payments/<int:payment_id>/review/": {"decision": "accept"},
        "POST /api/v1/orders/<str:number>/returns/": {
            "lines": [{"line_id": delivered_line, "quantity": 1}],
            "reason": "authorization matrix",
        },
        "POST /api/v1/orders/lookup/": {
            "number": demo_shop.orders["pending"].number,
            "email": "nobody@example.com",
        },
        "POST /api/v1/staff/orders/<str:number>/refunds/": {"amount": "1.00", "reason": "m"},
        "POST /api/v1/staff/orders/<str:number>/cancel/": {"reason": "authorization matrix"},
        "POST /api/v1/staff/stock/<int:stock_id>/adjust/": {"delta": 1, "note": "matrix"},
        "POST /api/v1/staff/stock/<int:stock_id>/count/": {
            "counted_quantity": demo_shop.stocks["a"].quantity + 1
        },
        "POST /api/v1/staff/stock/<int:stock_id>/low-threshold/": {"threshold": 3},
        "POST /api/v1/staff/stock/receive/": {
            "sku": a_sku,
            "warehouse": a_code,
            "quantity": 1,
            "batch_reference": "matrix",
        },
        "POST /api/v1/staff/stock/transfer/": {
            "sku": a_sku,
            "from_warehouse": a_code,
            "to_warehouse": b_code,
            "quantity": 1,
            "reason": "matrix",
        },
        "POST /api/v1/staff/fulfillment/returns/<int:return_id>/receive/": {
            "lines": [{"line_id": delivered_line, "condition": "resellable"}]
        },
    }
    return bodies.get(str(endpoint), {})


def body_format(endpoint: Endpoint, path: str) -> str:
    """ "json", or "multipart" for the file uploads (a body of another type is refused
    before anyone is asked who they are)."""
    from django.urls import resolve

    view_class = resolve(path.split("?")[0]).func.cls  # type: ignore[attr-defined]
    first = view_class.parser_classes[0].media_type
    return "multipart" if first.startswith("multipart/") else "json"


def request_as(demo_shop: DemoShop, role: str, endpoint: Endpoint) -> Any:
    from rest_framework.test import APIClient

    path = concrete_path(demo_shop, endpoint)
    if not role.startswith("channel_") and path.startswith(CHANNEL_SCOPED):
        path += "?channel=museum-web"
    client = APIClient()
    headers = demo_shop.headers(role)
    method = endpoint.method
    if method in ("post", "put", "patch"):
        body = body_for(demo_shop, endpoint)
        return getattr(client, method)(
            path, body, format=body_format(endpoint, path), headers=headers
        )
    return getattr(client, method)(path, headers=headers)
