"""Tools for the fault tests: a small shop, a WSGI client that behaves like a web server,
and ways to cut the database off under a request."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import psycopg
from django.db import connection
from werkzeug.test import Client

from catalog.models import Stock
from shop.accounts.models import User
from shop.channels.models import SalesChannel
from shop.wsgi import application
from tests import factories
from tests.connections import separate_connection
from tests.factories import ADDRESS, ShippingMethodFactory, stock_with_units
from tests.waiting import wait_until


@dataclass
class LittleShop:
    channel: SalesChannel
    stock: Stock
    shopper: User
    token: str

    @property
    def sku(self) -> str:
        return self.stock.variant.sku


def little_shop(units: int = 10) -> LittleShop:
    from tests.factories import api_token_for

    museum = factories.PartnerFactory(code="museum")
    channel = factories.SalesChannelFactory(code="museum-web", owner=museum, is_public=True)
    variant = factories.ProductVariantFactory(price=Decimal("128.00"))
    factories.ProductChannelListingFactory(product=variant.product, channel=channel)
    stock = stock_with_units(
        variant=variant, warehouse=factories.WarehouseFactory(partner=museum), quantity=units
    )
    ShippingMethodFactory(code="standard", price=Decimal("12.00"), free_above=None)
    shopper = factories.UserFactory(email="shopper@example.com")
    token = api_token_for(shopper)
    return LittleShop(channel=channel, stock=stock, shopper=shopper, token=token)


class WebClient:
    """Requests through the WSGI application as a web server sends them, with Django's
    request signals (so a broken database connection is dropped at the end of the
    request, as in production), signed in with a token, asking for English answers."""

    def __init__(self, token: str = "") -> None:
        self.client = Client(application)
        self.token = token

    def call(self, method: str, path: str, body: Any = None, **headers: str) -> tuple[int, Any]:
        if self.token:
            headers.setdefault("Authorization", f"Token {self.token}")
        headers.setdefault("Accept-Language", "en")
        kwargs: dict[str, Any] = {"headers": headers}
        if body is not None:
            kwargs["json"] = body
        response = self.client.open(path, method=method, **kwargs)
        payload = response.get_json(silent=True)
        response.close()
        return response.status_code, payload

    def cart_ready(self, shop: LittleShop, quantity: int = 1) -> str:
        """A cart with one line and every checkout detail; returns its token."""
        query = f"?channel={shop.channel.code}"
        status, cart = self.call("POST", f"/api/v1/carts/{query}")
        assert status == 201, cart
        token = cart["token"]
        status, body = self.call(
            "POST",
            f"/api/v1/carts/{token}/lines/{query}",
            {"sku": shop.sku, "quantity": quantity},
        )
        assert status == 201, body
        status, body = self.call(
            "PATCH",
            f"/api/v1/carts/{token}/checkout/{query}",
            {
                "email": shop.shopper.email,
                "shipping_address": ADDRESS,
                "shipping_method": "standard",
            },
        )
        assert status == 200, body
        return token

    def place(self, shop: LittleShop, cart_token: str, key: str) -> tuple[int, Any]:
        return self.call(
            "POST",
            f"/api/v1/carts/{cart_token}/order/?channel={shop.channel.code}",
            **{"Idempotency-Key": key},
        )

    def pay(self, number: str) -> tuple[int, Any]:
        status, payment = self.call("POST", f"/api/v1/orders/{number}/payments/", {})
        assert status == 201, payment
        return self.call(
            "POST", f"/api/v1/payments/{payment['id']}/fake/confirm/", {"outcome": "succeed"}
        )


def _admin_connection() -> psycopg.Connection:
    """A connection of its own, as an operator's would be, to the shop's database."""
    return separate_connection(autocommit=True)


def _gone(admin: psycopg.Connection, pids: list[int]) -> bool:
    alive = admin.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", [pids]
    ).fetchone()
    return alive is None or alive[0] == 0


def backends_terminate(*, only_pid: int | None = None) -> int:
    """Terminate one backend, or every backend of the shop's database (what clients see
    when PostgreSQL restarts); waits until they are gone. Returns how many."""
    with _admin_connection() as admin:
        if only_pid is not None:
            pids = [only_pid]
        else:
            pids = [
                row[0]
                for row in admin.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s "
                    "AND pid <> pg_backend_pid()",
                    [connection.settings_dict["NAME"]],
                )
            ]
        for pid in pids:
            admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        wait_until(lambda: _gone(admin, pids), seconds=2)
    return len(pids)


@contextmanager
def cut_off_inside(target: Any, name: str, *, everyone: bool) -> Iterator[list[int]]:
    """While active, the first call of ``target.name`` first loses its database: its own
    backend is terminated from another connection (or every backend of the database,
    as a restart would), then the real function runs on the dead connection."""
    original: Callable[..., Any] = getattr(target, name)
    cut: list[int] = []

    def hooked(*args: Any, **kwargs: Any) -> Any:
        if not cut:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pid = cursor.fetchone()[0]
            cut.append(backends_terminate(only_pid=None if everyone else pid))
        return original(*args, **kwargs)

    setattr(target, name, hooked)
    try:
        yield cut
    finally:
        setattr(target, name, original)
