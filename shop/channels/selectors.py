"""Finding the channel a storefront request is for."""

from __future__ import annotations

import copy
import functools
import re
import time
from typing import Any

import redis
from django.apps import apps
from django.db.models import CharField, QuerySet
from django.utils.translation import gettext as _

from catalog.cache import cache_seconds, catalog_version
from shop.channels.errors import (
    ChannelInactive,
    ChannelKeyRequired,
    ChannelNotFound,
    ChannelRequired,
    InvalidChannelKey,
)
from shop.channels.models import LivestreamDrop, SalesChannel
from shop.channels.services import KEY_PREFIX, channel_key_matches
from shop.core.errors import InvalidInput
from shop.core.kept_statements import KeptStatement, Slot

CHANNEL_KEY_HEADER = "HTTP_X_CHANNEL_KEY"
_CODE = re.compile(r"^[-a-zA-Z0-9_]{1,40}$")


# Channels recently read, by key prefix or code, in this process: almost every storefront
# request names its channel, and channels change rarely. Kept only where catalog answers
# are kept (CATALOG_CACHE_SECONDS > 0; not in the tests), for at most KEEP_SECONDS, and
# only while the catalog version is the one they were read under: saving a channel (its
# deactivation too) and issuing a new key raise it, so those take effect at once in every
# process; should Redis not answer, channels are read from the database as without cache.
KEEP_SECONDS = 5.0
_kept: dict[tuple[str, str], tuple[float, int, SalesChannel]] = {}
_clock = time.monotonic
_TEXT: CharField[str, str] = CharField()


@functools.lru_cache(maxsize=2)
def _channel_statement(field: str) -> KeptStatement[SalesChannel]:
    """The channel whose ``field`` is slot ``value``, with its owner: compiled once per
    connection (shop.core.kept_statements), as ``.first()`` would read it, since where
    channels are not kept (the cache off) it is read on every storefront request."""
    channels = SalesChannel.objects.select_related("owner").filter(**{field: Slot("value", _TEXT)})
    return KeptStatement(channels.order_by("pk")[:1])


def _version() -> int | None:
    if cache_seconds() <= 0:
        return None
    try:
        return catalog_version() or None
    except (redis.RedisError, OSError):
        return None


def _channel_read(field: str, value: str) -> SalesChannel | None:
    """The channel whose ``field`` (api_key_prefix or code) is ``value``."""
    version = _version()
    now = _clock()
    if version is not None:
        kept = _kept.get((field, value))
        if kept is not None and kept[0] > now and kept[1] == version:
            return copy.copy(kept[2])
    channel = _channel_statement(field).first(value=value)
    if version is not None and channel is not None:
        if len(_kept) > 1000:
            _kept.clear()
        _kept[(field, value)] = (now + KEEP_SECONDS, version, copy.copy(channel))
    return channel


def channel_get_by_key(key: str) -> SalesChannel:
    parts = key.split("_", 2)
    if len(key) > 200 or len(parts) != 3 or parts[0] != KEY_PREFIX:
        raise InvalidChannelKey()
    channel = _channel_read("api_key_prefix", parts[1])
    if channel is None or not channel_key_matches(channel, key):
        raise InvalidChannelKey()
    return channel


def channel_from_request(request: Any, *, required: bool = True) -> SalesChannel | None:
    """The channel named by the request: its key (``X-Channel-Key``), or ``?channel=<code>``
    for a public storefront such as the museum's own web shop. Cached on the request."""
    cached = getattr(request, "_shop_channel", None)
    if cached is not None:
        return cached
    key = request.META.get(CHANNEL_KEY_HEADER, "").strip()
    if "\x00" in key:  # no key has one; the database would refuse to compare it
        raise InvalidChannelKey()
    code = (request.GET.get("channel") or "").strip()
    channel: SalesChannel | None
    if key:
        channel = channel_get_by_key(key)
        if code and code != channel.code:
            raise InvalidChannelKey(_("The channel key belongs to another channel."))
    elif code:
        if not _CODE.match(code):
            raise InvalidInput(fields={"channel": [_("Not a channel code.")]})
        channel = _channel_read("code", code)
        if channel is None:
            raise ChannelNotFound()
        if not channel.is_public:
            raise ChannelKeyRequired()
    elif required:
        raise ChannelRequired()
    else:
        return None
    if not channel.is_active:
        raise ChannelInactive()
    request._shop_channel = channel
    return channel


def channel_list() -> Any:
    return SalesChannel.objects.select_related("owner").order_by("code")


def drop_list_for_channel(channel: SalesChannel, now: Any) -> Any:
    """Drops of a channel that are live now or still to come, soonest first."""
    from django.db.models import Prefetch

    from catalog.models import ProductVariant

    return (
        LivestreamDrop.objects.filter(channel=channel, ends_at__gt=now)
        .prefetch_related(
            Prefetch(
                "variants",
                queryset=ProductVariant.objects.select_related("product").order_by("sku"),
            )
        )
        .order_by("starts_at", "code")
    )


def partners_all() -> QuerySet[Any]:
    """Every partner, the owners a channel may have. Their model is named by its app
    label: channels sit below the partners domain and import nothing of it."""
    return apps.get_model("partners", "Partner")._default_manager.all()
