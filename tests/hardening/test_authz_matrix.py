"""Authorization as a matrix of role by endpoint, including who may reach whose objects.

Every endpoint under /api/v1/ is found from the URL resolver, and every one must have a
row here: a new endpoint fails ``test_every_endpoint_has_a_row`` until someone decides
who may call it. Each request names objects of partner A and of the shopper (their
order, cart, stock, shipment, return, settlement) with a body valid enough to pass the
input checks, so the answer is about who asks:

- ``ok``: let in (served, or turned down for the input or the state, not for who asks);
- ``401``: not signed in, or a bad key; ``403``: signed in but not allowed;
- ``404``: the object is hidden from this caller (as if it did not exist).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from fulfillment.models import Shipment
from partners.models import LedgerEntry, Settlement
from tests.factories.demo_shop import DemoShop
from tests.hardening.authz import ROLES, answer_class, api_endpoints, request_as

ALL_OK = dict.fromkeys(ROLES, "ok")
NOT_SIGNED_IN = {"anonymous": "401", "channel_a": "401", "channel_b": "401"}
SHOPPERS = {"shopper": "403", "other_shopper": "403"}
VIEWERS = {"viewer_a": "403", "viewer_b": "403"}


def row(base: dict[str, str], **changes: str) -> dict[str, str]:
    return {**base, **changes}


# Public catalog, channel, sign-in and storefront entry points.
PUBLIC = ALL_OK
# Objects of the shopper (order, cart): everyone else is told they do not exist.
SHOPPER_ONLY = row(dict.fromkeys(ROLES, "404"), shopper="ok")
# Any signed-in person (their own profile, their own orders).
SIGNED_IN = row(ALL_OK, **NOT_SIGNED_IN)
# Partner reports and money: partner users and superusers, each partner its own.
PARTNER = row(ALL_OK, **NOT_SIGNED_IN, **SHOPPERS, staff_nopartner="403")
PARTNER_OBJECT_A = row(PARTNER, staff_b="404", viewer_b="404")
# Staff screens: staff read everything (staff without a partner too); viewers are not staff.
STAFF_READ = row(ALL_OK, **NOT_SIGNED_IN, **SHOPPERS, **VIEWERS)
STAFF_READ_A = row(STAFF_READ, staff_b="404")  # another partner's parcels and returns
STAFF_STOCK_READ_A = row(STAFF_READ, staff_b="403")  # another partner's stock movements
# Changing partner A's things: A's staff and superusers; staff without a partner read only.
STAFF_WRITE_A_HIDDEN = row(STAFF_READ_A, staff_nopartner="403")
STAFF_WRITE_A = row(STAFF_READ, staff_b="403", staff_nopartner="403")
STAFF_IMPORT = row(STAFF_READ, staff_nopartner="403")  # rows checked one by one
# A transfer out of A into B needs the warehouse the units leave: A's staff send them.
STAFF_TRANSFER_A_TO_B = STAFF_WRITE_A
SUPERUSER_ONLY = row(dict.fromkeys(ROLES, "403"), **NOT_SIGNED_IN, superuser="ok")

MATRIX: dict[str, dict[str, str]] = {
    # catalog and storefront
    "GET /api/v1/collections/": PUBLIC,
    "GET /api/v1/collections/<slug:slug>/": PUBLIC,
    "GET /api/v1/products/": PUBLIC,
    "GET /api/v1/autocomplete/": PUBLIC,
    "GET /api/v1/products/<slug:slug>/": PUBLIC,
    "GET /api/v1/channel/": PUBLIC,
    "GET /api/v1/drops/": PUBLIC,
    # accounts
    "POST /api/v1/auth/register/": PUBLIC,
    "POST /api/v1/auth/sign-in/": PUBLIC,
    "POST /api/v1/auth/sign-out/": SIGNED_IN,
    "GET /api/v1/me/": SIGNED_IN,
    "PATCH /api/v1/me/": SIGNED_IN,
    "POST /api/v1/auth/password-reset/": PUBLIC,
    "POST /api/v1/auth/password-reset/confirm/": PUBLIC,
    "POST /api/v1/auth/verify-email/": PUBLIC,
    "POST /api/v1/auth/sms-code/": PUBLIC,
    "POST /api/v1/auth/sms-sign-in/": PUBLIC,
    "POST /api/v1/me/email-verification/": SIGNED_IN,
    "POST /api/v1/me/email/": SIGNED_IN,
    "POST /api/v1/auth/email-change/confirm/": PUBLIC,  # the link opens on any device
    "POST /api/v1/me/phone/": SIGNED_IN,
    "GET /api/v1/me/data/": SIGNED_IN,
    "POST /api/v1/me/delete/": SIGNED_IN,
    "GET /api/v1/divisions/": PUBLIC,
    "GET /api/v1/me/addresses/": SIGNED_IN,
    "POST /api/v1/me/addresses/": SIGNED_IN,
    "GET /api/v1/me/addresses/<int:address_id>/": row(SHOPPER_ONLY, **NOT_SIGNED_IN),
    "PATCH /api/v1/me/addresses/<int:address_id>/": row(SHOPPER_ONLY, **NOT_SIGNED_IN),
    "DELETE /api/v1/me/addresses/<int:address_id>/": row(SHOPPER_ONLY, **NOT_SIGNED_IN),
    "GET /api/v1/me/devices/": SIGNED_IN,
    "DELETE /api/v1/me/devices/": SIGNED_IN,
    # the shopper's phone: anyone else is told it does not exist
    "DELETE /api/v1/me/devices/<uuid:device_id>/": row(SHOPPER_ONLY, **NOT_SIGNED_IN),
    # carts: the shopper's cart in channel A
    "POST /api/v1/carts/": PUBLIC,
    "GET /api/v1/carts/<uuid:token>/": SHOPPER_ONLY,
    "PATCH /api/v1/carts/<uuid:token>/checkout/": SHOPPER_ONLY,
    "POST /api/v1/carts/<uuid:token>/lines/": SHOPPER_ONLY,
    "PATCH /api/v1/carts/<uuid:token>/lines/<int:line_id>/": SHOPPER_ONLY,
    "DELETE /api/v1/carts/<uuid:token>/lines/<int:line_id>/": SHOPPER_ONLY,
    "GET /api/v1/carts/<uuid:token>/shipping-methods/": SHOPPER_ONLY,
    "POST /api/v1/carts/<uuid:token>/order/": SHOPPER_ONLY,
    # the shopper's orders, payments, tracking and returns
    "GET /api/v1/orders/": SIGNED_IN,
    "POST /api/v1/orders/": PUBLIC,  # buy now: a guest may order in one request
    "GET /api/v1/orders/<str:number>/": SHOPPER_ONLY,
    "POST /api/v1/orders/<str:number>/cancel/": SHOPPER_ONLY,
    "GET /api/v1/orders/<str:number>/fapiao/": SHOPPER_ONLY,
    "POST /api/v1/orders/<str:number>/fapiao/": SHOPPER_ONLY,
    "GET /api/v1/orders/<str:number>/fapiao/file/": SHOPPER_ONLY,
    "POST /api/v1/orders/<str:number>/payments/": SHOPPER_ONLY,
    "GET /api/v1/orders/<str:number>/tracking/": SHOPPER_ONLY,
    "GET /api/v1/orders/<str:number>/returns/": SHOPPER_ONLY,
    "POST /api/v1/orders/<str:number>/returns/": SHOPPER_ONLY,
    "POST /api/v1/payments/<int:payment_id>/fake/confirm/": SHOPPER_ONLY,
    # a guest finds a guest order by number and e-mail; a wrong e-mail finds nothing, and a
    # registered shopper's order opens only for that shopper, signed in
    "POST /api/v1/orders/lookup/": SHOPPER_ONLY,
    # signed by Stripe, not by a user: everyone is turned down for the signature (400)
    "POST /api/v1/payments/stripe/webhook/": PUBLIC,
    "POST /api/v1/payments/wechatpay/notify/": PUBLIC,
    "POST /api/v1/payments/alipay/notify/": PUBLIC,
    # partner reports, ledger and settlements (settlement of partner A)
    "GET /api/v1/partners/reports/summary/": PARTNER,
    "GET /api/v1/partners/reports/sales/": PARTNER,
    "GET /api/v1/partners/reports/breakdown/": PARTNER,
    "GET /api/v1/partners/reports/top-products/": PARTNER,
    "GET /api/v1/partners/reports/fulfillment-times/": PARTNER,
    "GET /api/v1/partners/reports/compared/": PARTNER,
    "GET /api/v1/partners/reports/payment-mismatches/": PARTNER,
    "GET /api/v1/partners/reports/inventory/": PARTNER,
    "GET /api/v1/partners/ledger/": PARTNER,
    "GET /api/v1/partners/settlements/": PARTNER,
    "GET /api/v1/partners/settlements/<int:settlement_id>/": PARTNER_OBJECT_A,
    (
        "GET /api/v1/partners/settlements/<int:settlement_id>/statement.<statement_format:fmt>"
    ): PARTNER_OBJECT_A,
    # channels: only administrators create channels and issue keys
    "GET /api/v1/staff/channels/": STAFF_READ,
    "POST /api/v1/staff/channels/": SUPERUSER_ONLY,
    "POST /api/v1/staff/channels/<slug:code>/rotate-key/": SUPERUSER_ONLY,
    # stock (stock row in partner A's warehouse)
    "GET /api/v1/staff/warehouses/": STAFF_READ,
    "GET /api/v1/staff/stock/": STAFF_READ,
    "GET /api/v1/staff/stock/export.csv": STAFF_READ,
    "GET /api/v1/staff/stock/<int:stock_id>/movements/": STAFF_STOCK_READ_A,
    "POST /api/v1/staff/stock/receive/": STAFF_WRITE_A,
    "POST /api/v1/staff/stock/transfer/": STAFF_TRANSFER_A_TO_B,
    "POST /api/v1/staff/stock/<int:stock_id>/adjust/": STAFF_WRITE_A,
    "POST /api/v1/staff/stock/<int:stock_id>/count/": STAFF_WRITE_A,
    "POST /api/v1/staff/stock/<int:stock_id>/low-threshold/": STAFF_WRITE_A,
    "POST /api/v1/staff/stock/import/": STAFF_IMPORT,
    # a CSV import run by a task: its author and superusers; other staff are told it
    # does not exist
    "GET /api/v1/staff/imports/<int:import_id>/": row(
        STAFF_READ, staff_b="404", staff_nopartner="404"
    ),
    "GET /api/v1/staff/products/export.csv": STAFF_READ,
    "POST /api/v1/staff/products/import/": STAFF_IMPORT,
    # staff orders (the shopper's order, sold in A's channel from A's warehouse): staff see
    # and handle their partner's orders; B's staff are told it does not exist; staff of
    # no partner read every order and change none (shop/orders/staff_selectors.py). The
    # list answers every staff member, with their own orders only.
    "GET /api/v1/staff/orders/": STAFF_READ,
    "GET /api/v1/staff/orders/<str:number>/": STAFF_READ_A,
    "POST /api/v1/staff/orders/<str:number>/refunds/": STAFF_WRITE_A_HIDDEN,
    "POST /api/v1/staff/orders/<str:number>/cancel/": STAFF_WRITE_A_HIDDEN,
    # fapiao requests of the orders each staff member handles; issuing is changing A's order
    "GET /api/v1/staff/fapiao/": STAFF_READ,
    "POST /api/v1/staff/orders/<str:number>/fapiao/issue/": STAFF_WRITE_A_HIDDEN,
    "GET /api/v1/staff/orders/<str:number>/fapiao/file/": STAFF_READ_A,
    # staff payments held for review: as their orders (the shopper's, partner A's)
    "GET /api/v1/staff/payments/review/": STAFF_READ,
    "POST /api/v1/staff/payments/<int:payment_id>/review/": STAFF_WRITE_A_HIDDEN,
    "POST /api/v1/staff/payments/fake/refunds/<str:reference>/settle/": STAFF_READ,
    # fulfilment (partner A's parcel and return)
    "GET /api/v1/staff/fulfillment/shipments/": STAFF_READ,
    "GET /api/v1/staff/fulfillment/shipments/<int:shipment_id>/": STAFF_READ_A,
    "GET /api/v1/staff/fulfillment/shipments/<int:shipment_id>/label.pdf": STAFF_READ_A,
    "POST /api/v1/staff/fulfillment/shipments/<int:shipment_id>/pack/": STAFF_WRITE_A_HIDDEN,
    "POST /api/v1/staff/fulfillment/shipments/<int:shipment_id>/book/": STAFF_WRITE_A_HIDDEN,
    "POST /api/v1/staff/fulfillment/shipments/<int:shipment_id>/ship/": STAFF_WRITE_A_HIDDEN,
    "POST /api/v1/staff/fulfillment/shipments/<int:shipment_id>/deliver/": (STAFF_WRITE_A_HIDDEN),
    "GET /api/v1/staff/fulfillment/warehouses/<slug:code>/pick-list/": STAFF_READ_A,
    "GET /api/v1/staff/fulfillment/returns/": STAFF_READ,
    "GET /api/v1/staff/fulfillment/returns/<int:return_id>/": STAFF_READ_A,
    "POST /api/v1/staff/fulfillment/returns/<int:return_id>/approve/": STAFF_WRITE_A_HIDDEN,
    "POST /api/v1/staff/fulfillment/returns/<int:return_id>/reject/": STAFF_WRITE_A_HIDDEN,
    "POST /api/v1/staff/fulfillment/returns/<int:return_id>/receive/": STAFF_WRITE_A_HIDDEN,
    "POST /api/v1/staff/fulfillment/returns/<int:return_id>/refund/": STAFF_WRITE_A_HIDDEN,
}

ENDPOINTS = api_endpoints()


def test_every_endpoint_has_a_row():
    found = {str(endpoint) for endpoint in ENDPOINTS}
    assert found - set(MATRIX) == set(), "new endpoints: decide who may call them"
    assert set(MATRIX) - found == set(), "rows for endpoints that are gone"
    assert all(set(expected) == set(ROLES) for expected in MATRIX.values())


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_who_may_call_what(demo_shop: DemoShop, db: Any, endpoint):
    answers = {}
    for role in ROLES:
        # Each caller meets the shop as it was: what an earlier one did is undone.
        savepoint = transaction.savepoint()
        response = request_as(demo_shop, role, endpoint)
        transaction.savepoint_rollback(savepoint)
        answers[role] = answer_class(response.status_code)
        if answers[role] in ("401", "403", "404"):
            body = response.json()
            assert {"code", "message", "fields"} <= set(body), (role, body)
    assert answers == MATRIX[str(endpoint)]


# -- object-level checks beyond the matrix ------------------------------------------------


def _get(demo_shop: DemoShop, role: str, path: str, **headers: str) -> Any:
    from rest_framework.test import APIClient

    return APIClient().get(path, headers={**demo_shop.headers(role), **headers})


def test_a_channel_key_cannot_act_on_another_channels_cart(demo_shop: DemoShop, db: Any):
    from rest_framework.test import APIClient

    cart = demo_shop.carts["a"]  # made by storefront A, no user
    sku = demo_shop.stocks["a"].variant.sku
    base = f"/api/v1/carts/{cart.token}/"

    def call(role: str, method: str, path: str, body: Any = None) -> int:
        client = APIClient()
        kwargs = {"headers": demo_shop.headers(role)}
        if body is not None:
            kwargs.update(data=body, format="json")
        return getattr(client, method)(path, **kwargs).status_code

    assert call("channel_a", "get", base) == 200
    assert call("channel_b", "get", base) == 404
    assert call("channel_b", "post", base + "lines/", {"sku": sku, "quantity": 1}) == 404
    assert call("channel_b", "patch", base + "checkout/", {"email": "x@example.com"}) == 404
    assert call("channel_b", "post", base + "order/") == 404
    # Naming channel A while holding key B is refused outright.
    assert call("channel_b", "get", base + "?channel=museum-web") == 401
    assert cart.lines.count() == 0


def test_lists_show_each_partner_and_shopper_only_their_own(demo_shop: DemoShop, db: Any):
    a, b = demo_shop.partners["a"], demo_shop.partners["b"]

    shipments = _get(demo_shop, "staff_b", "/api/v1/staff/fulfillment/shipments/").json()
    ids = {s["id"] for s in shipments["results"]}
    assert ids == set(Shipment.objects.filter(warehouse__partner=b).values_list("pk", flat=True))
    assert demo_shop.shipments["a"].pk not in ids

    stock = _get(demo_shop, "staff_b", "/api/v1/staff/stock/?page_size=100").json()
    assert stock["count"] > 0
    assert {row["partner"] for row in stock["results"]} == {b.code}

    for role, partner in (("viewer_a", a), ("viewer_b", b)):
        ledger = _get(demo_shop, role, "/api/v1/partners/ledger/?page_size=100").json()
        expected = LedgerEntry.objects.filter(partner=partner).count()
        assert ledger["count"] == expected > 0
        settlements = _get(demo_shop, role, "/api/v1/partners/settlements/").json()
        assert {s["id"] for s in settlements} == set(
            Settlement.objects.filter(partner=partner).values_list("pk", flat=True)
        )
    # Naming the other partner is for superusers only: anyone else still gets their own.
    named = _get(demo_shop, "viewer_b", "/api/v1/partners/ledger/?partner=museum&page_size=100")
    assert named.json()["count"] == LedgerEntry.objects.filter(partner=b).count()

    theirs = _get(demo_shop, "other_shopper", "/api/v1/orders/").json()
    assert [o["number"] for o in theirs["results"]] == [demo_shop.orders["other"].number]
