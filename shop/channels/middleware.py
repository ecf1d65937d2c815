"""The channel a request is for, as ``request.channel``, for views below the channels in
the layers (the catalog's) that must not import them."""

from __future__ import annotations

from typing import Any

from django.utils.functional import SimpleLazyObject

from shop.channels.selectors import channel_from_request


class RequestChannelMiddleware:
    """Gives every request ``request.channel``: the channel it names (``X-Channel-Key``,
    else ``?channel=<code>``), or one that is false when it names none.

    Read when a view first asks for it, not before: a view that never asks pays no
    lookup, and a bad key or code fails inside the view that asked, in the error shape
    with its own code (``invalid_channel_key``, ``channel_not_found``, ...), as
    :func:`~shop.channels.selectors.channel_from_request` raises it. Test it for truth
    (``if request.channel``), not against ``None``: it stands in for the answer.
    """

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        request.channel = SimpleLazyObject(lambda: channel_from_request(request, required=False))
        return self.get_response(request)
