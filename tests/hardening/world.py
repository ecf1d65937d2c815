"""A realistic shop to attack: the demo catalog, its people, and orders in every state.

Built once per test module inside a transaction that is rolled back at the end (see
``conftest.py``), so hundreds of fuzzing and authorization tests share it cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.test import TestCase
from rest_framework.authtoken.models import Token

from catalog.models import ProductVariant, Stock, Warehouse
from fulfillment.models import ReturnRequest, Shipment
from partners.models import Partner, Settlement
from shop.accounts.models import User
from shop.carts.models import Cart
from shop.carts.services import cart_create
from shop.channels.models import SalesChannel
from shop.checkout.cart_lines import cart_line_add
from shop.checkout.details import CheckoutDetails, checkout_update
from shop.checkout.placement import order_place
from shop.demo.data import demo_load
from shop.demo.data.orders import demo_agreements_load
from shop.orders.models import Order
from shop.payments.models import Payment
from shop.payments.services import payment_fake_complete, payment_start

ADDRESS = {
    "name": "王小明",
    "phone": "13800000000",
    "country": "CN",
    "province": "北京市",
    "city": "北京市",
    "district": "西城区",
    "street": "前海西街17号",
    "postcode": "100009",
}

# The demo's people by role; the others are made here.
DEMO_USERS = {
    "superuser": "admin@example.com",
    "staff_a": "museum-staff@example.com",
    "staff_b": "media-staff@example.com",
    "viewer_a": "museum-viewer@example.com",
    "viewer_b": "media-viewer@example.com",
    "shopper": "shopper@example.com",
}


@dataclass
class World:
    users: dict[str, User]
    tokens: dict[str, str]
    channel_keys: dict[str, str]  # "a" (museum-web), "b" (media-web)
    channels: dict[str, SalesChannel]
    partners: dict[str, Partner]
    warehouses: dict[str, Warehouse]  # by partner letter
    stocks: dict[str, Stock]  # a stock row in each partner's warehouse
    orders: dict[str, Order] = field(default_factory=dict)
    carts: dict[str, Cart] = field(default_factory=dict)
    payments: dict[str, Payment] = field(default_factory=dict)
    shipments: dict[str, Shipment] = field(default_factory=dict)  # by partner letter
    returns: dict[str, ReturnRequest] = field(default_factory=dict)
    settlements: dict[str, Settlement] = field(default_factory=dict)  # by partner letter

    def headers(self, role: str) -> dict[str, str]:
        """What a client in ``role`` sends to be recognised."""
        if role.startswith("channel_"):
            return {"X-Channel-Key": self.channel_keys[role.removeprefix("channel_")]}
        if role in self.tokens:
            return {"Authorization": f"Token {self.tokens[role]}"}
        return {}


def _variant_stocked_in(warehouse: Warehouse, channel: SalesChannel) -> ProductVariant:
    """A plain (not limited, not personalised) variant with free units only in
    ``warehouse`` among the active ones, listed in ``channel``."""
    for stock in (
        Stock.objects.filter(
            warehouse=warehouse,
            quantity__gte=20,
            variant__is_active=True,
            variant__product__is_active=True,
            variant__product__edition_size__isnull=True,
            variant__product__personalisation_enabled=False,
            variant__product__purchase_limit__isnull=True,
            variant__product__channel_listings__channel=channel,
            variant__product__channel_listings__is_published=True,
        )
        .select_related("variant")
        .order_by("variant__sku")
    ):
        others = Stock.objects.filter(variant=stock.variant, quantity__gt=0).exclude(
            warehouse=warehouse
        )
        if not others.exists():
            return stock.variant
    raise AssertionError(f"no variant stocked only in {warehouse.code}")


def _placed(
    channel: SalesChannel, user: User | None, variant: ProductVariant, key: str, quantity: int = 1
) -> Order:
    cart = cart_create(channel=channel, user=user)
    cart_line_add(cart=cart, variant=variant, quantity=quantity)
    checkout_update(
        cart=cart,
        user=user,
        details=CheckoutDetails(
            email=user.email if user else "guest@example.com",
            shipping_address=ADDRESS,
            shipping_method_code="standard",
        ),
    )
    return order_place(cart=cart, idempotency_key=key, user=user).order


def _paid(order: Order) -> Payment:
    payment = payment_start(order=order, provider="fake")
    return payment_fake_complete(payment=payment, outcome="succeed")


def world_build() -> World:
    """The demo shop plus orders in every state; call inside a transaction."""
    from fulfillment.returns import return_request_create
    from tests.fulfillment.conftest import delivered as delivered_now

    report = demo_load()
    demo_agreements_load()
    users = {role: User.objects.get(email=email) for role, email in DEMO_USERS.items()}
    users["other_shopper"] = User.objects.create_user(
        "other-shopper@example.com", "other-shopper-pass"
    )
    users["staff_nopartner"] = User.objects.create_user(
        "lone-staff@example.com", "lone-staff-pass", is_staff=True
    )
    tokens = {role: Token.objects.get_or_create(user=user)[0].key for role, user in users.items()}
    partners = {"a": Partner.objects.get(code="museum"), "b": Partner.objects.get(code="media")}
    channels = {
        "a": SalesChannel.objects.get(code="museum-web"),
        "b": SalesChannel.objects.get(code="media-web"),
    }
    warehouses = {
        letter: Warehouse.objects.filter(partner=partner, is_active=True).order_by("code")[0]
        for letter, partner in partners.items()
    }
    world = World(
        users=users,
        tokens=tokens,
        channel_keys={
            letter: report.issued_keys[channel.code] for letter, channel in channels.items()
        },
        channels=channels,
        partners=partners,
        warehouses=warehouses,
        stocks={},
    )
    variants = {
        letter: _variant_stocked_in(warehouse, channels["a"])
        for letter, warehouse in warehouses.items()
    }
    world.stocks = {
        letter: Stock.objects.get(variant=variants[letter], warehouse=warehouses[letter])
        for letter in warehouses
    }
    shopper, other = users["shopper"], users["other_shopper"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        world.orders["pending"] = _placed(channels["a"], shopper, variants["a"], "hard-pending")
        world.orders["other"] = _placed(channels["a"], other, variants["a"], "hard-other")
        world.orders["channel_b"] = _placed(channels["b"], shopper, variants["b"], "hard-b")
        world.orders["guest"] = _placed(channels["a"], None, variants["a"], "hard-guest")
        # Paid: fulfilment (run by the on-commit tasks) makes one parcel per warehouse.
        for letter in ("a", "b"):
            order = _placed(channels["a"], shopper, variants[letter], f"hard-paid-{letter}")
            world.payments[f"paid_{letter}"] = _paid(order)
            world.orders[f"paid_{letter}"] = order
        delivered = _placed(channels["a"], shopper, variants["a"], "hard-delivered", quantity=2)
        world.payments["delivered"] = _paid(delivered)
        delivered_now(delivered)
        world.orders["delivered"] = delivered
        world.returns["a"] = return_request_create(
            order=delivered,
            lines=[{"line_id": delivered.lines.get().pk, "quantity": 1}],
            reason="Too small",
            user=shopper,
        )
    for order in world.orders.values():
        order.refresh_from_db()
    for letter, warehouse in warehouses.items():
        world.shipments[letter] = Shipment.objects.filter(
            warehouse=warehouse, order=world.orders[f"paid_{letter}"]
        ).get()
    world.carts = {
        "a": cart_create(channel=channels["a"]),
        "b": cart_create(channel=channels["b"]),
        "shopper": cart_create(channel=channels["a"], user=shopper),
    }
    cart_line_add(cart=world.carts["shopper"], variant=variants["a"], quantity=1)
    for letter, partner in partners.items():
        world.settlements[letter] = Settlement.objects.filter(partner=partner).order_by("-period")[
            0
        ]
    return world


def world_enter(django_db_blocker: Any) -> tuple[World, Any]:
    """Open the module's transaction and build the world in it; returns the world and
    the atomic block to roll back."""
    from django.db import transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = world_build()
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    return world, atomic


def world_leave(django_db_blocker: Any, atomic: Any) -> None:
    from django.db import transaction

    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)
