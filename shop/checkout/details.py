"""Checkout details: contact, address, shipping method, voucher and note; which shipping
methods serve an address; what is still missing before an order can be placed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.accounts.addresses import address_as_shipping, address_get
from shop.accounts.errors import AddressNotFound
from shop.carts.errors import CartAlreadyOrdered
from shop.carts.models import Cart, CartStatus
from shop.checkout.cart_pricing import cart_totals
from shop.checkout.errors import ShippingMethodUnavailable
from shop.checkout.models import ShippingMethod
from shop.checkout.selectors import shipping_method_active
from shop.checkout.vouchers import voucher_validate


@dataclass(frozen=True)
class CheckoutDetails:
    """The checkout details a request gives (the cart API, buying now, placing); a detail
    left ``None`` is not changed. ``voucher_code=""`` removes the voucher."""

    email: str | None = None
    phone: str | None = None
    shipping_address: dict[str, Any] | None = None
    shipping_method_code: str | None = None
    voucher_code: str | None = None
    note: str | None = None

    @classmethod
    def from_input(cls, data: Mapping[str, Any], user: Any = None) -> CheckoutDetails:
        """The details of validated API input (whose shipping method is ``shipping_method``);
        ``saved_address`` names one of the signed-in ``user``'s saved addresses."""
        shipping_address = data.get("shipping_address")
        if data.get("saved_address") is not None:
            if user is None or not user.is_authenticated:
                raise AddressNotFound()
            saved = address_get(user=user, address_id=data["saved_address"])
            shipping_address = address_as_shipping(saved)
        return cls(
            email=data.get("email"),
            phone=data.get("phone"),
            shipping_address=shipping_address,
            shipping_method_code=data.get("shipping_method"),
            voucher_code=data.get("voucher_code"),
            note=data.get("note"),
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def shipping_method_serves(method: ShippingMethod, address: dict[str, Any]) -> bool:
    country = (address.get("country") or "").upper()
    if method.countries and country not in method.countries:
        return False
    return not (method.provinces and address.get("province") not in method.provinces)


def shipping_methods_for(address: dict[str, Any]) -> list[ShippingMethod]:
    return [
        m
        for m in ShippingMethod.objects.filter(is_active=True)
        if shipping_method_serves(m, address)
    ]


def shipping_serves_raise(cart: Cart) -> None:
    """Refuse a shipping method that does not deliver to the cart's address."""
    if (
        cart.shipping_method
        and cart.shipping_address
        and not shipping_method_serves(cart.shipping_method, cart.shipping_address)
    ):
        raise ShippingMethodUnavailable(fields={"shipping_method": [_("Does not deliver there.")]})


def _contact_apply(cart: Cart, details: CheckoutDetails) -> list[str]:
    changed: list[str] = []
    if details.email is not None:
        cart.email = details.email.lower()
        changed.append("email")
    if details.phone is not None:
        cart.phone = details.phone
        changed.append("phone")
    if details.shipping_address is not None:
        cart.shipping_address = details.shipping_address
        changed.append("shipping_address")
    if details.note is not None:
        cart.note = details.note
        changed.append("note")
    return changed


def details_apply(
    cart: Cart, details: CheckoutDetails, *, subtotal: Decimal | None = None
) -> list[str]:
    """Set the given checkout details on ``cart`` (in memory) after checking them;
    returns the names of the fields that changed. ``subtotal``: the cart's, when the
    caller knows it (a voucher needs it)."""
    changed = _contact_apply(cart, details)
    if details.shipping_method_code is not None:
        method = shipping_method_active(details.shipping_method_code)
        if method is None:
            raise ShippingMethodUnavailable(
                _("No such shipping method."), fields={"shipping_method": [_("Unknown method.")]}
            )
        cart.shipping_method = method
        changed.append("shipping_method")
    shipping_serves_raise(cart)
    if details.voucher_code is not None:
        cart.voucher = (
            voucher_validate(
                details.voucher_code,
                subtotal=cart_totals(cart).subtotal if subtotal is None else subtotal,
                email=cart.email,
                user_id=cart.user_id,
                now=timezone.now(),
            )
            if details.voucher_code.strip()
            else None
        )
        changed.append("voucher")
    return changed


@transaction.atomic
def checkout_update(*, cart: Cart, details: CheckoutDetails, user: Any = None) -> Cart:
    """Set the checkout details that were given.

    ``cart`` is the cart as just read (with its shipping method and voucher); only the
    given details are written, in one conditional update that also refuses a cart
    ordered meanwhile. Placing the order checks the details again under lock.
    """
    if cart.status != CartStatus.OPEN:
        raise CartAlreadyOrdered()
    changed = details_apply(cart, details)
    cart.updated_at = timezone.now()
    values = {name: getattr(cart, name) for name in [*changed, "updated_at"]}
    if not Cart.objects.filter(pk=cart.pk, status=CartStatus.OPEN).update(**values):
        raise CartAlreadyOrdered()
    return cart


def missing_details(cart: Cart) -> dict[str, list[str]]:
    """What the cart still lacks before its order can be placed, by field."""
    missing: dict[str, list[str]] = {}
    if not cart.email:
        missing["email"] = [_("An e-mail address is needed.")]
    if not cart.shipping_address:
        missing["shipping_address"] = [_("A shipping address is needed.")]
    if cart.shipping_method_id is None:
        missing["shipping_method"] = [_("Choose a shipping method.")]
    return missing
