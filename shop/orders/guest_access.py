"""Who may open an order without staff rights, and how many guesses a guest gets.

The rule, the same for every shopper endpoint that names an order (the guest look-up,
tracking, returns, cancelling, paying): an order placed by a registered shopper opens
only for that shopper, signed in; an order placed as a guest opens for whoever gives the
e-mail it was placed with. A registered shopper's order never opens by e-mail: their
e-mail address is often known to others, their password is not.

Guesses are limited per order number: after ``GUEST_ORDER_FAILURES_PER_ORDER`` wrong
e-mails for one number within ``GUEST_ORDER_COOL_OFF_MINUTES``, guests asking for that
number are answered 429 for that long, from any address; the per-client rate
(throttle scope ``order_access``) bounds how many numbers one client can try. The count
is kept per number as written, whether or not such an order exists, and every failed
guess answers "no such order" (404) until the limit, so neither the answer nor the
lock tells which numbers exist. The cost: someone who knows a guest's order number can
keep that guest's own look-ups waiting for a while; the order's e-mails still reach the
guest, and a registered shopper signed in is never kept waiting.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from shop.core.attempts import AttemptLimit, attempt_failed, attempts_locked_for
from shop.core.permissions import signed_in
from shop.orders.errors import OrderGuessesLocked, OrderNotFound
from shop.orders.models import Order


def order_open_to(order: Order, user: Any, email: str | None) -> bool:
    """The order's signed-in owner, or for a guest order whoever gives its e-mail."""
    acting = signed_in(user)
    if acting is not None and order.user_id == acting.pk:
        return True
    return bool(order.user_id is None and email and email.strip().lower() == order.email.lower())


def _guess_limit() -> AttemptLimit:
    return AttemptLimit(
        scope="guest_order",
        failures=settings.GUEST_ORDER_FAILURES_PER_ORDER,
        seconds=int(settings.GUEST_ORDER_COOL_OFF_MINUTES * 60),
    )


def order_open(order: Order | None, *, number: str, user: Any, email: str | None) -> Order:
    """``order`` (the one numbered ``number``, or None when there is none) if it opens to
    the caller; OrderNotFound otherwise, or OrderGuessesLocked once the number has had
    too many wrong e-mails."""
    acting = signed_in(user)
    if order is not None and acting is not None and order.user_id == acting.pk:
        return order  # the owner is never limited by others' guesses
    if not email:
        raise OrderNotFound()  # not a guess: nothing was tried, nothing is learnt
    limit = _guess_limit()
    wait = attempts_locked_for(limit, number)
    if wait:
        raise OrderGuessesLocked(retry_after=wait)
    if order is None or not order_open_to(order, user, email):
        attempt_failed(limit, number)
        raise OrderNotFound()
    return order
