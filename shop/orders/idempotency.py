"""An Idempotency-Key names one request of one caller, as Stripe's do.

The order a key placed keeps a fingerprint of the request that placed it: who asked
(the signed-in shopper, or nobody) and what they asked for, in a canonical form. The
same caller sending the same request again gets the same order; any other request or
caller with that key is refused (409 ``idempotency_key_reused``) and learns nothing
about the first order, not even that it exists beyond the refusal.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet

from shop.core.permissions import signed_in
from shop.orders.errors import IdempotencyKeyReused
from shop.orders.models import Order


def request_fingerprint(kind: str, user: Any, request: Mapping[str, Any]) -> str:
    """The SHA-256 of the canonical request: its kind (which endpoint), the caller and
    what was asked, with keys sorted and no insignificant space."""
    acting = signed_in(user)
    canonical = json.dumps(
        {"kind": kind, "user": acting.pk if acting is not None else None, "request": request},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


@functools.cache
def _fingerprints() -> QuerySet[Order, tuple[Any, ...]]:
    """The id and fingerprint of orders, in no order (a key is unique in its channel, so
    a lookup finds one at most): built once per process, each lookup filters a copy."""
    return Order.objects.order_by().values_list("pk", "idempotency_fingerprint")


def order_for_key(channel_id: int, idempotency_key: str, fingerprint: str) -> Order | None:
    """The order this key placed in the channel, when the same request placed it; None
    when the key is new; IdempotencyKeyReused when another request used it."""
    # Only the fingerprint is read, since a new key (the usual case) finds nothing; the
    # order a retry gets back is read whole by its id.
    found = _fingerprints().filter(channel_id=channel_id, idempotency_key=idempotency_key)
    row = next(iter(found[:1]), None)
    if row is None:
        return None
    if row[1] != fingerprint:
        raise IdempotencyKeyReused()
    return Order.objects.get(pk=row[0])
