"""The order state machine: the one place that says which status may follow which.

Happy path: pending_payment -> paid -> fulfilling -> shipped -> delivered -> completed.

- pending_payment -> expired (unpaid in time) or cancelled (by the shopper or staff);
  an expired order becomes paid again if a late payment arrives while its stock is there.
- paid / fulfilling -> cancelled while nothing has shipped.
- A refund moves a paid, fulfilling, shipped, delivered or completed order to
  partially_refunded or, once everything paid is returned, refunded. A partially
  refunded order keeps moving through fulfilment (the rest still ships).
"""

from __future__ import annotations

from shop.orders.models import OrderStatus as S

_AFTER_PAYMENT = {S.PAID, S.FULFILLING, S.SHIPPED, S.DELIVERED, S.COMPLETED}

TRANSITIONS: dict[str, set[str]] = {
    S.PENDING_PAYMENT: {S.PAID, S.EXPIRED, S.CANCELLED},
    S.PAID: {S.FULFILLING, S.SHIPPED, S.CANCELLED, S.REFUNDED, S.PARTIALLY_REFUNDED},
    S.FULFILLING: {S.SHIPPED, S.CANCELLED, S.REFUNDED, S.PARTIALLY_REFUNDED},
    S.SHIPPED: {S.DELIVERED, S.REFUNDED, S.PARTIALLY_REFUNDED},
    S.DELIVERED: {S.COMPLETED, S.REFUNDED, S.PARTIALLY_REFUNDED},
    S.COMPLETED: {S.REFUNDED, S.PARTIALLY_REFUNDED},
    S.PARTIALLY_REFUNDED: {
        S.FULFILLING,
        S.SHIPPED,
        S.DELIVERED,
        S.COMPLETED,
        S.REFUNDED,
        S.PARTIALLY_REFUNDED,
    },
    S.CANCELLED: {S.REFUNDED},
    # A payment that arrives after expiry revives the order when its stock can be held again.
    S.EXPIRED: {S.PAID},
    S.REFUNDED: set(),
}

PAID_STATUSES = frozenset(_AFTER_PAYMENT | {S.PARTIALLY_REFUNDED})
# Orders that still count against stock, edition limits and per-customer limits.
ACTIVE_STATUSES = frozenset(PAID_STATUSES | {S.PENDING_PAYMENT})
FINAL_STATUSES = frozenset({S.EXPIRED, S.REFUNDED, S.CANCELLED})


def can_transition(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, set())
