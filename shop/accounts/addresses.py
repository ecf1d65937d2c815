"""Saved addresses: checked, stored with their division names, one default per shopper,
and turned into the shipping address a checkout takes."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from shop.accounts.divisions import divisions_check
from shop.accounts.errors import AddressNotFound
from shop.accounts.models import Address, User
from shop.core.errors import InvalidInput

_CN_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_CN_POSTCODE = re.compile(r"^\d{6}$")
# What a saved address holds, as the API reads and writes it.
ADDRESS_FIELDS = (
    "label",
    "name",
    "phone",
    "country",
    "province_code",
    "city_code",
    "district_code",
    "province",
    "city",
    "district",
    "street",
    "postcode",
    "is_default",
)
# City names that say "the province's own" rather than name a city.
_PLACEHOLDER_CITIES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def cn_mobile_normalize(value: str) -> str:
    """An 11-digit mainland mobile number (spaces, dashes, +86 and 0086 removed), or
    InvalidInput on ``phone``."""
    digits = re.sub(r"[\s\-]", "", value or "")
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == 11 + len(prefix):
            digits = digits[len(prefix) :]
    if not _CN_MOBILE.match(digits):
        raise InvalidInput(fields={"phone": [_("Not an 11-digit mainland mobile number.")]})
    return digits


def _checked(data: dict[str, Any]) -> dict[str, Any]:
    values = dict(data)
    country = values.get("country", "CN").upper()
    values["country"] = country
    postcode = values.get("postcode", "")
    if country == "CN":
        found = divisions_check(
            values.get("province_code", ""),
            values.get("city_code", ""),
            values.get("district_code", ""),
        )
        values.update(vars(found))
        values["phone"] = cn_mobile_normalize(values.get("phone", ""))
        if postcode and not _CN_POSTCODE.match(postcode):
            raise InvalidInput(fields={"postcode": [_("A Chinese postcode has six digits.")]})
    else:
        for field in ("province_code", "city_code", "district_code"):
            values[field] = ""
        missing = [f for f in ("city", "postcode") if not str(values.get(f, "")).strip()]
        if missing:
            raise InvalidInput(
                fields={f: [_("Required for an international address.")] for f in missing}
            )
    return values


def _default_set(address: Address) -> None:
    Address.objects.filter(user=address.user, is_default=True).exclude(pk=address.pk).update(
        is_default=False
    )


@transaction.atomic
def address_create(*, user: User, data: dict[str, Any]) -> Address:
    values = _checked(data)
    first = not Address.objects.filter(user=user).exists()
    values["is_default"] = bool(values.get("is_default")) or first
    if values["is_default"]:
        Address.objects.filter(user=user, is_default=True).update(is_default=False)
    return Address.objects.create(user=user, **values)


def address_get(*, user: User, address_id: int) -> Address:
    address = Address.objects.filter(user=user, pk=address_id).first()
    if address is None:
        raise AddressNotFound()
    return address


@transaction.atomic
def address_update(*, user: User, address_id: int, data: dict[str, Any]) -> Address:
    address = address_get(user=user, address_id=address_id)
    current = {field: getattr(address, field) for field in ADDRESS_FIELDS}
    values = _checked({**current, **data})
    if values.get("is_default"):
        _default_set(address)
    for field, value in values.items():
        setattr(address, field, value)
    address.save()
    return address


@transaction.atomic
def address_delete(*, user: User, address_id: int) -> None:
    address = address_get(user=user, address_id=address_id)
    was_default = address.is_default
    address.delete()
    if was_default:
        following = Address.objects.filter(user=user).first()
        if following:
            following.is_default = True
            following.save(update_fields=["is_default", "updated_at"])


def address_as_shipping(address: Address) -> dict[str, Any]:
    """The saved address in the format checkout takes (shop/checkout/serializers.py)."""
    if address.country == "CN":
        city = address.province if address.city in _PLACEHOLDER_CITIES else address.city
        shipping = {
            "name": address.name,
            "phone": address.phone,
            "country": "CN",
            "province": address.province,
            "city": city or address.province,
            "district": address.district or city or address.province,
            "street": address.street,
        }
    else:
        shipping = {
            "name": address.name,
            "phone": address.phone,
            "country": address.country,
            "line1": address.street,
            "city": address.city,
            "region": address.province,
        }
    if address.postcode:
        shipping["postcode"] = address.postcode
    return shipping
