"""Per-device API tokens (django-rest-knox): one token per signed-in device, stored as
its SHA-512 digest, expiring after ``TOKEN_TTL`` and revocable one by one or all at once.

Clients send ``Authorization: Token <token>`` as before. A token is shown once, in the
answer to the sign-in that made it; the shop keeps only its digest.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shop.accounts.errors import DeviceNotFound
from shop.accounts.models import DeviceToken, User


@transaction.atomic
def device_token_create(*, user: User, name: str = "") -> tuple[DeviceToken, str]:
    """A new device signed in: its token (returned once, in clear) and its row. Past
    ``TOKEN_DEVICES_PER_USER`` devices, the least recently signed-in ones are signed out;
    expired ones are dropped."""
    now = timezone.now()
    DeviceToken.objects.filter(user=user, expiry__lt=now).delete()
    keep = max(settings.TOKEN_DEVICES_PER_USER - 1, 0)
    stale = list(
        DeviceToken.objects.filter(user=user).order_by("-created").values_list("pk", flat=True)
    )[keep:]
    if stale:
        DeviceToken.objects.filter(pk__in=stale).delete()
    device, token = DeviceToken.objects.create_for(user, name=name[:100], ttl=settings.TOKEN_TTL)
    return device, token


def device_list(*, user: User) -> list[DeviceToken]:
    """The account's signed-in devices that have not expired, newest first."""
    return list(DeviceToken.objects.filter(user=user, expiry__gt=timezone.now()))


def device_sign_out(*, user: User, device_id: uuid.UUID) -> None:
    """Sign one device out; the others stay signed in."""
    deleted, _ = DeviceToken.objects.filter(user=user, device_id=device_id).delete()
    if not deleted:
        raise DeviceNotFound()


def devices_sign_out_all(*, user: User) -> int:
    """Sign every device of the account out (after a password change, a lost phone)."""
    deleted, _ = DeviceToken.objects.filter(user=user).delete()
    return deleted
