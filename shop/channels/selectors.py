"""Finding the channel a storefront request is for."""

from __future__ import annotations

import re
from typing import Any

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

CHANNEL_KEY_HEADER = "HTTP_X_CHANNEL_KEY"
_CODE = re.compile(r"^[-a-zA-Z0-9_]{1,40}$")


def channel_get_by_key(key: str) -> SalesChannel:
    parts = key.split("_", 2)
    if len(key) > 200 or len(parts) != 3 or parts[0] != KEY_PREFIX:
        raise InvalidChannelKey()
    channel = SalesChannel.objects.select_related("owner").filter(api_key_prefix=parts[1]).first()
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
    code = (request.GET.get("channel") or "").strip()
    channel: SalesChannel | None
    if key:
        channel = channel_get_by_key(key)
        if code and code != channel.code:
            raise InvalidChannelKey("The channel key belongs to another channel.")
    elif code:
        if not _CODE.match(code):
            raise InvalidInput(fields={"channel": ["Not a channel code."]})
        channel = SalesChannel.objects.select_related("owner").filter(code=code).first()
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
