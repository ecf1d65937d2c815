"""Creating channels and their storefront keys."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from catalog.cache import catalog_changed
from shop.channels.models import SalesChannel

KEY_PREFIX = "chk"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedKey:
    channel: SalesChannel
    key: str  # shown once; only its hash is stored


def channel_api_key_issue(*, channel: SalesChannel) -> IssuedKey:
    """Give a channel a new storefront key; the previous key stops working at once."""
    prefix = secrets.token_hex(6)
    key = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    SalesChannel.objects.filter(pk=channel.pk).update(
        api_key_prefix=prefix, api_key_hash=_hash(key)
    )
    channel.api_key_prefix = prefix
    channel.api_key_hash = _hash(key)
    # Catalog answers kept for the old key must not be given to it any more.
    transaction.on_commit(catalog_changed)
    return IssuedKey(channel=channel, key=key)


@transaction.atomic
def channel_create(
    *,
    code: str,
    name_zh: str,
    name_en: str,
    kind: str,
    owner: Any,
    commission_rate: Decimal = Decimal("0"),
    is_public: bool = False,
) -> IssuedKey:
    channel = SalesChannel(
        code=code,
        name_zh=name_zh,
        name_en=name_en,
        kind=kind,
        owner=owner,
        commission_rate=commission_rate,
        is_public=is_public,
    )
    channel.full_clean(exclude=["api_key_prefix", "api_key_hash"])
    channel.save()
    return channel_api_key_issue(channel=channel)


def channel_key_matches(channel: SalesChannel, key: str) -> bool:
    return bool(channel.api_key_hash) and secrets.compare_digest(channel.api_key_hash, _hash(key))
