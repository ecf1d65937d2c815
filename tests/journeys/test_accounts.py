"""A shopper's account from the first day to the last, over HTTP: signing up and proving
the e-mail with the link the shop sends, two devices and signing one out, a saved
Chinese address, buying with it and asking for a fapiao, a guest order joining the
account, changing the e-mail address with the link sent to the new one, downloading
one's data and deleting the account (PIPL)."""

from __future__ import annotations

import re

import pytest

from tests.journeys import demo
from tests.journeys.shop_api import (
    API,
    PAID_STATUSES,
    ShopApi,
    idempotency_key,
    signed_in,
    unique_email,
    wait_for,
)
from tests.journeys.stacks import Stack
from tests.journeys.test_purchase import pay_with_fake

pytestmark = pytest.mark.journey

PASSWORD = "a-long-journey-password-20"
# The console e-mail backend ends each message with a line of 79 dashes.
MESSAGE_END = "\n" + "-" * 79 + "\n"
VERIFY_LINK = re.compile(r"/verify-email\?uid=([\w-]+)&token=([\w-]+)")
CHANGE_LINK = re.compile(r"/change-email\?token=([\w-]+)")
COMPANY = {
    "title_type": "company",
    "title": "某文化传媒有限公司",
    "tax_number": "91350100M000100Y43",
}


def test_a_shopper_signs_up_buys_takes_their_data_and_leaves(stack: Stack):
    email = unique_email("account")
    phone = ShopApi(stack.base_url, channel=demo.MUSEUM_WEB)
    signed_up = phone.post(
        f"{API}/auth/register/",
        {"email": email, "password": PASSWORD, "device_name": "Mei's phone"},
    )
    assert signed_up["user"]["email_verified"] is False
    phone.session.headers["Authorization"] = f"Token {signed_up['token']}"

    guest_number = _guest_order(stack, email)
    _email_verified(stack, phone, email)
    assert guest_number in [o["number"] for o in phone.get(f"{API}/orders/")["results"]]

    laptop = _second_device_signs_the_first_out(stack, email, signed_up["device_id"], phone)
    address = _address_saved(laptop)
    number = _bought_with_saved_address_and_fapiao(laptop, address, email)
    email = _email_changed(stack, laptop, email)

    data = laptop.get(f"{API}/me/data/")
    assert data["account"]["email"] == email
    assert [a["street"] for a in data["addresses"]] == [address["street"]]
    assert [d["name"] for d in data["devices"]] == ["Mei's laptop"]
    orders = {o["number"]: o for o in data["orders"]}
    assert set(orders) == {guest_number, number}
    assert orders[number]["fapiao"]["tax_number"] == COMPANY["tax_number"]

    _account_deleted(stack, laptop, email, [guest_number, number])


def _guest_order(stack: Stack, email: str) -> str:
    """Before the e-mail is proven, the same person buys as a guest."""
    storefront = ShopApi(stack.base_url, channel=demo.MUSEUM_WEB)
    token = storefront.post(f"{API}/carts/")["token"]
    storefront.post(f"{API}/carts/{token}/lines/", {"sku": "BW-FAN-01-S", "quantity": 1})
    storefront.patch(
        f"{API}/carts/{token}/checkout/",
        {"email": email, "shipping_address": demo.ADDRESS, "shipping_method": "standard"},
    )
    order = storefront.post(
        f"{API}/carts/{token}/order/",
        {"payment_provider": "fake"},
        headers={"Idempotency-Key": idempotency_key()},
    )
    pay_with_fake(storefront, order["payment"]["id"], email)
    return str(order["number"])


def _email_verified(stack: Stack, phone: ShopApi, email: str) -> None:
    """The link from the e-mail the shop printed (its console mail backend)."""
    link = wait_for(
        lambda: _link_sent(stack, email),
        bool,
        seconds=30,
        what=f"a verification e-mail to {email} in the shop's logs",
    )
    assert link is not None
    uid, token = link
    ShopApi(stack.base_url).refused(
        "POST", f"{API}/auth/verify-email/", 400, "link_invalid", json={"uid": uid, "token": "x"}
    )
    verified = phone.post(f"{API}/auth/verify-email/", {"uid": uid, "token": token}, expect=200)
    assert verified["email_verified"] is True
    assert phone.get(f"{API}/me/")["email_verified"] is True


def _link_sent(
    stack: Stack, email: str, link: re.Pattern[str] = VERIFY_LINK
) -> tuple[str, ...] | None:
    for message in _messages_to(stack, email):
        found = link.search(message)
        if found:
            return found.groups()
    return None


def _messages_to(stack: Stack, email: str) -> list[str]:
    """The e-mails to ``email`` the shop printed (its console mail backend)."""
    return [
        message
        for log in sorted(stack.workdir.glob("*.log"))
        for message in log.read_text(errors="replace").split(MESSAGE_END)
        if re.search(rf"^To: {re.escape(email)}$", message, re.MULTILINE)
    ]


def _email_changed(stack: Stack, laptop: ShopApi, email: str) -> str:
    """A new address, with the password again: the link goes to the new address, a notice
    to the old one; the address changes when the link is used, and the laptop stays
    signed in."""
    new_email = unique_email("account-new")
    laptop.refused(
        "POST",
        f"{API}/me/email/",
        400,
        "password_incorrect",
        json={"new_email": new_email, "password": "wrong"},
    )
    laptop.request(
        "POST", f"{API}/me/email/", expect=202, json={"new_email": new_email, "password": PASSWORD}
    )
    link = wait_for(
        lambda: _link_sent(stack, new_email, CHANGE_LINK),
        bool,
        seconds=30,
        what=f"an e-mail change link to {new_email} in the shop's logs",
    )
    assert link is not None
    assert laptop.get(f"{API}/me/")["email"] == email  # not before the link is used
    masked = f"{new_email[0]}***@example.com"  # the notice shows the new address masked
    wait_for(
        lambda: [m for m in _messages_to(stack, email) if masked in m],
        bool,
        seconds=30,
        what=f"a notice to {email} in the shop's logs",
    )
    elsewhere = ShopApi(stack.base_url)
    confirmed = elsewhere.post(f"{API}/auth/email-change/confirm/", {"token": link[0]}, expect=200)
    assert (confirmed["email"], confirmed["email_verified"]) == (new_email, True)
    elsewhere.refused(
        "POST", f"{API}/auth/email-change/confirm/", 400, "link_invalid", json={"token": link[0]}
    )
    assert laptop.get(f"{API}/me/")["email"] == new_email
    return new_email


def _second_device_signs_the_first_out(
    stack: Stack, email: str, phone_device: str, phone: ShopApi
) -> ShopApi:
    """Signed in on a laptop too: two devices; the laptop signs the phone out."""
    answer = ShopApi(stack.base_url).post(
        f"{API}/auth/sign-in/",
        {"email": email, "password": PASSWORD, "device_name": "Mei's laptop"},
        expect=200,
    )
    laptop = ShopApi(stack.base_url, token=answer["token"], channel=demo.MUSEUM_WEB)
    devices = laptop.get(f"{API}/me/devices/")
    assert sorted((d["name"], d["current"]) for d in devices) == [
        ("Mei's laptop", True),
        ("Mei's phone", False),
    ]
    laptop.request("DELETE", f"{API}/me/devices/{phone_device}/", expect=204)
    phone.request("GET", f"{API}/me/", expect=401)
    assert [d["name"] for d in laptop.get(f"{API}/me/devices/")] == ["Mei's laptop"]
    assert laptop.get(f"{API}/me/")["email"] == email
    return laptop


def _address_saved(laptop: ShopApi) -> dict:
    """A Chinese address picked from the national divisions, by code."""
    provinces = {d["name"]: d["code"] for d in laptop.get(f"{API}/divisions/")}
    shanghai = provinces["上海市"]
    city = laptop.get(f"{API}/divisions/", params={"parent": shanghai})[0]["code"]
    districts = {
        d["name"]: d["code"] for d in laptop.get(f"{API}/divisions/", params={"parent": city})
    }
    body = {
        "label": "家",
        "name": "李梅",
        "phone": "+86 139-1234-5678",
        "province_code": shanghai,
        "city_code": city,
        "district_code": districts["徐汇区"],
        "street": "漕溪北路201号",
        "is_default": True,
    }
    laptop.refused(
        "POST",
        f"{API}/me/addresses/",
        400,
        "invalid",
        json={**body, "phone": "1234"},
    )
    address = laptop.post(f"{API}/me/addresses/", body)
    assert (address["province"], address["district"], address["phone"]) == (
        "上海市",
        "徐汇区",
        "13912345678",
    )
    assert address["postcode"] == ""
    return dict(address)


def _bought_with_saved_address_and_fapiao(laptop: ShopApi, address: dict, email: str) -> str:
    token = laptop.post(f"{API}/carts/")["token"]
    laptop.post(f"{API}/carts/{token}/lines/", {"sku": "BW-FAN-01-L", "quantity": 1})
    laptop.patch(
        f"{API}/carts/{token}/checkout/",
        {"saved_address": address["id"], "shipping_method": "standard"},
    )
    order = laptop.post(
        f"{API}/carts/{token}/order/",
        {"payment_provider": "fake", "fapiao": COMPANY},
        headers={"Idempotency-Key": idempotency_key()},
    )
    pay_with_fake(laptop, order["payment"]["id"], email)
    number = str(order["number"])
    placed = laptop.get(f"{API}/orders/{number}/")
    assert placed["status"] in PAID_STATUSES
    shipped_to = placed["shipping_address"]
    assert (shipped_to["name"], shipped_to["district"], shipped_to["street"]) == (
        "李梅",
        "徐汇区",
        "漕溪北路201号",
    )
    fapiao = laptop.get(f"{API}/orders/{number}/fapiao/")
    assert (fapiao["title"], fapiao["tax_number"], fapiao["status"]) == (
        COMPANY["title"],
        COMPANY["tax_number"],
        "requested",
    )
    return number


def _account_deleted(stack: Stack, laptop: ShopApi, email: str, numbers: list[str]) -> None:
    """Gone for good: no signing in; the orders stay for the staff without the person."""
    laptop.refused(
        "POST", f"{API}/me/delete/", 400, "password_incorrect", json={"password": "wrong"}
    )
    laptop.request("POST", f"{API}/me/delete/", expect=204, json={"password": PASSWORD})
    laptop.request("GET", f"{API}/me/", expect=401)
    ShopApi(stack.base_url).refused(
        "POST",
        f"{API}/auth/sign-in/",
        401,
        "invalid_credentials",
        json={"email": email, "password": PASSWORD},
    )
    staff = signed_in(stack.base_url, *demo.MUSEUM_STAFF)
    for number in numbers:
        order = staff.get(f"{API}/staff/orders/{number}/")
        assert order["status"] in PAID_STATUSES
        assert (order["email"], order["phone"], order["shipping_address"], order["note"]) == (
            "",
            "",
            {},
            "",
        )
        assert order["lines"] and order["amount_paid"] == order["total"]
