"""A realistic shop to attack: the demo catalog, its people, and orders in every state.

The hardening tests build it once per module inside a transaction rolled back at the end
(``tests/hardening/conftest.py``), so hundreds of fuzzing and authorization tests share it
cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.test import TestCase

from catalog.models import ProductVariant, Stock, Warehouse
from fulfillment.models import ReturnRequest, Shipment
from fulfillment.returns import return_request_create
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
from tests.factories.accounts import api_token_for
from tests.factories.fulfillment import delivered
from tests.factories.selling import ADDRESS

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
class DemoShop:
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


def _people(issued_keys: dict[str, str]) -> DemoShop:
    """The demo's people and two more, their sign-in tokens, both partners with their
    first active warehouse and web channel; no stock or orders yet."""
    users = {role: User.objects.get(email=email) for role, email in DEMO_USERS.items()}
    users["other_shopper"] = User.objects.create_user(
        "other-shopper@example.com", "other-shopper-pass"
    )
    users["staff_nopartner"] = User.objects.create_user(
        "lone-staff@example.com", "lone-staff-pass", is_staff=True
    )
    partners = {"a": Partner.objects.get(code="museum"), "b": Partner.objects.get(code="media")}
    channels = {
        "a": SalesChannel.objects.get(code="museum-web"),
        "b": SalesChannel.objects.get(code="media-web"),
    }
    return DemoShop(
        users=users,
        tokens={role: api_token_for(user) for role, user in users.items()},
        channel_keys={letter: issued_keys[channel.code] for letter, channel in channels.items()},
        channels=channels,
        partners=partners,
        warehouses={
            letter: Warehouse.objects.filter(partner=partner, is_active=True).order_by("code")[0]
            for letter, partner in partners.items()
        },
        stocks={},
    )


def _orders_in_every_state(shop: DemoShop, variants: dict[str, ProductVariant]) -> None:
    """Pending orders (the shopper's, another shopper's, a guest's, one on channel B), one
    paid order per warehouse, and a delivered one with a return asked for."""
    channels, shopper = shop.channels, shop.users["shopper"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        shop.orders["pending"] = _placed(channels["a"], shopper, variants["a"], "hard-pending")
        shop.orders["other"] = _placed(
            channels["a"], shop.users["other_shopper"], variants["a"], "hard-other"
        )
        shop.orders["channel_b"] = _placed(channels["b"], shopper, variants["b"], "hard-b")
        shop.orders["guest"] = _placed(channels["a"], None, variants["a"], "hard-guest")
        # Paid: fulfilment (run by the on-commit tasks) makes one parcel per warehouse.
        for letter in ("a", "b"):
            order = _placed(channels["a"], shopper, variants[letter], f"hard-paid-{letter}")
            shop.payments[f"paid_{letter}"] = _paid(order)
            shop.orders[f"paid_{letter}"] = order
        order = _placed(channels["a"], shopper, variants["a"], "hard-delivered", quantity=2)
        shop.payments["delivered"] = _paid(order)
        shop.orders["delivered"] = delivered(order)
        shop.returns["a"] = return_request_create(
            order=order,
            lines=[{"line_id": order.lines.get().pk, "quantity": 1}],
            reason="Too small",
            user=shopper,
        )
    for order in shop.orders.values():
        order.refresh_from_db()


def demo_shop_build() -> DemoShop:
    """The demo shop plus orders in every state; call inside a transaction."""
    report = demo_load()
    demo_agreements_load()
    shop = _people(report.issued_keys)
    variants = {
        letter: _variant_stocked_in(warehouse, shop.channels["a"])
        for letter, warehouse in shop.warehouses.items()
    }
    shop.stocks = {
        letter: Stock.objects.get(variant=variants[letter], warehouse=shop.warehouses[letter])
        for letter in shop.warehouses
    }
    _orders_in_every_state(shop, variants)
    for letter, warehouse in shop.warehouses.items():
        shop.shipments[letter] = Shipment.objects.get(
            warehouse=warehouse, order=shop.orders[f"paid_{letter}"]
        )
        shop.settlements[letter] = Settlement.objects.filter(
            partner=shop.partners[letter]
        ).order_by("-period")[0]
    shop.carts = {
        "a": cart_create(channel=shop.channels["a"]),
        "b": cart_create(channel=shop.channels["b"]),
        "shopper": cart_create(channel=shop.channels["a"], user=shop.users["shopper"]),
    }
    cart_line_add(cart=shop.carts["shopper"], variant=variants["a"], quantity=1)
    return shop
