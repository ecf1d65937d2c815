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
from typing import Any, TypedDict

from django.db.models import CharField

from shop.core.kept_statements import ID_FIELD, KeptStatement, Slot
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


class _KeyUsed(TypedDict):
    pk: int
    idempotency_fingerprint: str


@functools.cache
def _fingerprint_of_key() -> KeptStatement[_KeyUsed]:
    """The id and fingerprint of the order a key placed in a channel, in no order (a key
    is unique in its channel, so one at most): read before every placing, so kept
    compiled once per process and connection (shop/core/kept_statements.py)."""
    found = Order.objects.filter(
        channel_id=Slot("channel_id", ID_FIELD),
        idempotency_key=Slot("idempotency_key", CharField()),
    )
    return KeptStatement(found.order_by().values("pk", "idempotency_fingerprint")[:1])


def order_for_key(channel_id: int, idempotency_key: str, fingerprint: str) -> Order | None:
    """The order this key placed in the channel, when the same request placed it; None
    when the key is new; IdempotencyKeyReused when another request used it."""
    # Only the fingerprint is read, since a new key (the usual case) finds nothing; the
    # order a retry gets back is read whole by its id.
    found = _fingerprint_of_key().first(channel_id=channel_id, idempotency_key=idempotency_key)
    if found is None:
        return None
    if found["idempotency_fingerprint"] != fingerprint:
        raise IdempotencyKeyReused()
    return Order.objects.get(pk=found["pk"])
