"""A shopper's personal data under PIPL: everything the shop holds about them, to
download as JSON, and deleting the account. Orders stay for accounting with the person
taken out (shop/orders/personal_data.py, reached through the hooks); the account's rows
go, and so do the edit histories of the account and its addresses."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.accounts.addresses import ADDRESS_FIELDS
from shop.accounts.models import Address, DeviceToken, EmailChange, SmsCode, User
from shop.core.errors import InvalidInput
from shop.core.hooks import hooks

_USER_FIELDS = (
    "email",
    "first_name",
    "last_name",
    "phone",
    "date_joined",
    "last_login",
    "email_verified_at",
    "phone_verified_at",
)
_ADDRESS_FIELDS = (*ADDRESS_FIELDS, "created_at")


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def user_personal_data(*, user: User) -> dict[str, Any]:
    """Everything the shop holds about the shopper, as JSON-ready values."""
    devices = DeviceToken.objects.filter(user=user)
    return {
        "exported_at": timezone.now().isoformat(),
        "account": {field: _plain(getattr(user, field)) for field in _USER_FIELDS},
        "addresses": [
            {field: _plain(getattr(address, field)) for field in _ADDRESS_FIELDS}
            for address in Address.objects.filter(user=user)
        ],
        "devices": [
            {
                "name": d.name,
                "signed_in_at": _plain(d.created),
                "last_used_at": _plain(d.last_used_at),
            }
            for d in devices
        ],
        "email_changes": [
            {"new_email": c.new_email, "asked_at": _plain(c.created_at)}
            for c in EmailChange.objects.filter(user=user)
        ],
        **hooks().account_personal_data(user=user),
    }


def _histories_purge(user_id: int, address_ids: list[int]) -> None:
    User.history.filter(id=user_id).delete()  # type: ignore[attr-defined]
    Address.history.filter(id__in=address_ids).delete()  # type: ignore[attr-defined]


@transaction.atomic
def user_delete(*, user: User, password: str = "") -> None:
    """Delete the account for good: its orders lose their person, its addresses, devices,
    SMS codes and edit histories are removed. A staff account is deleted by an
    administrator instead."""
    if user.is_staff or user.is_superuser:
        raise InvalidInput(_("A staff account is closed by an administrator."))
    if user.has_usable_password() and not user.check_password(password):
        raise InvalidInput(
            code="password_incorrect", fields={"password": [_("The password is not correct.")]}
        )
    user_id = user.pk
    address_ids = list(Address.objects.filter(user=user).values_list("pk", flat=True))
    hooks().account_erasing(user=user)
    if user.phone:
        SmsCode.objects.filter(phone=user.phone).delete()
    user.delete()
    # After the delete: deleting writes one last history row of each.
    _histories_purge(user_id, address_ids)
