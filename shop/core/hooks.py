"""The calls the selling domains make up to the domains above them.

Dependencies run one way (the README's architecture): the kernel, then the catalog,
then selling (channels, carts, orders, payments, checkout), then fulfillment, then the
partners. Where a lower domain must tell a higher one something in the middle of its
own work (a captured payment must enter the partners' ledger in the same transaction),
it calls this port, as Saleor's order flow calls its plugin manager: one typed
interface, implemented by the classes the ``SHOP_HOOKS`` setting names (loaded once),
called synchronously, in the caller's transaction. No Django signals: a reader finds
every implementation by its name.

Work that can wait for the commit goes to a higher domain as a Celery task named by its
string (``shop.core.tasks.enqueue_on_commit("fulfillment.order_paid", ...)``).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class ShopHooks(Protocol):
    def agreement_versions_in_force(
        self, collections: Mapping[int, int | None], day: dt.date
    ) -> dict[int, int]:
        """The revenue-share agreement version in force on ``day`` for each product
        (``{product_id: collection_id}``); products without one are left out. Placing an
        order stores it on each line."""
        ...

    def order_voucher_release(self, *, order: Any) -> None:
        """An order that was not paid ended (cancelled, expired, its stock sold to someone
        else): the use of its voucher, if it had one, is given back, in the caller's
        transaction."""
        ...

    def payment_captured(self, *, payment: Any, first: bool) -> None:
        """A payment succeeded and paid its order (``first``: the order's first capture):
        the money enters the ledger, inside the caller's transaction."""
        ...

    def refund_succeeded(self, *, refund: Any) -> None:
        """The provider confirmed a refund: the ledger reverses it, in the caller's
        transaction."""
        ...

    def shipment_shipped(self, *, shipment: Any) -> None:
        """A parcel left its warehouse: the logistics fee enters the ledger, in the
        caller's transaction."""
        ...

    def order_closed(self, *, order: Any, user: Any) -> None:
        """An order was cancelled or refunded in full: its parcels that have not left are
        cancelled, in the caller's transaction (which holds the order's lock)."""
        ...

    def account_contact_verified(self, *, user: Any, email: str = "", phone: str = "") -> None:
        """An account proved an e-mail address or mobile number its own: the guest orders
        placed with it join the account, in the caller's transaction."""
        ...

    def account_personal_data(self, *, user: Any) -> dict[str, Any]:
        """What the higher domains hold about the account's person (orders, fapiao), for
        the data the shopper downloads."""
        ...

    def account_erasing(self, *, user: Any) -> None:
        """The account is being deleted: its orders stay for accounting with their
        personal fields removed, in the caller's transaction."""
        ...


class _AllHooks:
    """Every implementation named in ``SHOP_HOOKS``, in the order named: a notice goes to
    each that has it, a question is answered by the first that has it."""

    def __init__(self, implementations: list[Any]) -> None:
        self.implementations = implementations

    def _having(self, name: str) -> list[Any]:
        return [getattr(impl, name) for impl in self.implementations if hasattr(impl, name)]

    def agreement_versions_in_force(
        self, collections: Mapping[int, int | None], day: dt.date
    ) -> dict[int, int]:
        answers = self._having("agreement_versions_in_force")
        return dict(answers[0](collections, day)) if answers else {}

    def order_voucher_release(self, *, order: Any) -> None:
        for call in self._having("order_voucher_release"):
            call(order=order)

    def payment_captured(self, *, payment: Any, first: bool) -> None:
        for call in self._having("payment_captured"):
            call(payment=payment, first=first)

    def refund_succeeded(self, *, refund: Any) -> None:
        for call in self._having("refund_succeeded"):
            call(refund=refund)

    def shipment_shipped(self, *, shipment: Any) -> None:
        for call in self._having("shipment_shipped"):
            call(shipment=shipment)

    def order_closed(self, *, order: Any, user: Any) -> None:
        for call in self._having("order_closed"):
            call(order=order, user=user)

    def account_contact_verified(self, *, user: Any, email: str = "", phone: str = "") -> None:
        for call in self._having("account_contact_verified"):
            call(user=user, email=email, phone=phone)

    def account_personal_data(self, *, user: Any) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for call in self._having("account_personal_data"):
            data.update(call(user=user))
        return data

    def account_erasing(self, *, user: Any) -> None:
        for call in self._having("account_erasing"):
            call(user=user)


@functools.cache
def _loaded(paths: tuple[str, ...]) -> ShopHooks:
    return _AllHooks([import_string(path)() for path in paths])


def hooks() -> ShopHooks:
    """The shop's hooks: the classes named by ``SHOP_HOOKS`` (dotted paths), each
    implementing some of ShopHooks."""
    return _loaded(tuple(settings.SHOP_HOOKS))
