"""The front door: ``/`` tells a person what this is and where to go; ``/api/v1/`` tells a
program which resources the API has. The index is read from the URL configuration, so it
lists every endpoint there is and never one that is gone."""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.translation import gettext as _

from shop.core.errors import json_error

API_PREFIX = "api/v1/"
_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")

# Who each part of the API is for, by the first segment of its path.
AUDIENCES = {"staff": "staff", "partners": "partners"}


def _patterns(patterns: list[Any], prefix: str = "") -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found += _patterns(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and pattern.name:
            found.append((route, pattern.name))
    return found


def api_resources() -> dict[str, dict[str, str]]:
    """Every endpoint of the API by audience: its name and its path, with ``{name}``
    where the path takes a value."""
    resources: dict[str, dict[str, str]] = {"storefront": {}, "staff": {}, "partners": {}}
    for route, name in _patterns(get_resolver().url_patterns):
        if not route.startswith(API_PREFIX) or route == API_PREFIX:
            continue
        path = "/" + _CONVERTER.sub(r"{\1}", route)
        audience = AUDIENCES.get(route[len(API_PREFIX) :].split("/", 1)[0], "storefront")
        resources[audience][name] = path
    return resources


def _only_read(request: HttpRequest) -> JsonResponse | None:
    if request.method in ("GET", "HEAD"):
        return None
    refused = json_error(request, "method_not_allowed", _("Only GET is allowed here."), 405)
    refused["Allow"] = "GET, HEAD"
    return refused


def api_index(request: HttpRequest) -> JsonResponse:
    refused = _only_read(request)
    if refused is not None:
        return refused
    return JsonResponse(
        {
            "name": "Co-branded cultural products shop API",
            "version": "v1",
            "docs": reverse("api-docs"),
            "schema": reverse("schema"),
            "channel": (
                "Storefront calls name their channel: the header X-Channel-Key, or "
                "?channel=<code> for a public channel."
            ),
            "resources": api_resources(),
        },
        json_dumps_params={"ensure_ascii": False},
    )


def home(request: HttpRequest) -> HttpResponse:
    refused = _only_read(request)
    if refused is not None:
        return refused
    return render(
        request,
        "front_door.html",
        {
            "links": [
                ("API", "the JSON API, version 1", "/api/v1/"),
                ("API docs", "every endpoint, interactive", reverse("api-docs")),
                ("Admin", "staff: catalog, stock, orders, shipments", "/admin/"),
                ("Partner dashboard", "partners: sales and settlements", "/partners/dashboard/"),
                ("Health", "database, Redis and broker status", reverse("health")),
            ]
        },
    )
