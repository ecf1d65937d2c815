"""The payment's updates on the way of every order, kept compiled once per connection
(shop/core/kept_updates.py): its reference stored when it starts, its outcome when the
provider confirms it. The same SQL as ``update()`` and ``save(update_fields=...)``."""

from __future__ import annotations

import functools
from typing import Any

from shop.core.kept_statements import ID_FIELD, Slot
from shop.core.kept_updates import KeptSave, KeptUpdate
from shop.payments.models import Payment, PaymentStatus

# What the provider confirmed of a payment.
CONFIRMED_FIELDS = ("confirmed_status", "confirmed_amount", "confirmed_currency", "confirmed_at")
_REFERENCE_FIELDS = ("provider_reference", "client_secret", "action", "updated_at")


@functools.cache
def _reference_store() -> KeptUpdate[Payment]:
    waiting = Payment.objects.filter(
        pk=Slot("payment_id", ID_FIELD), provider_reference="", status=PaymentStatus.PENDING
    )
    return KeptUpdate(waiting, _REFERENCE_FIELDS)


def payment_reference_update(payment_id: int, changes: dict[str, Any]) -> int:
    """``Payment.objects.filter(pk=payment_id, provider_reference="",
    status=PENDING).update(**changes)`` for ``changes`` of the reference, the client's
    secret, the action and ``updated_at``: the rows changed (0 when the payment no longer
    waits without a reference)."""
    return _reference_store().update(payment_id=payment_id, **changes)


@functools.cache
def _outcome_save() -> KeptSave[Payment]:
    return KeptSave(
        Payment,
        [
            "status",
            "failure_code",
            "failure_message",
            "fee",
            "succeeded_at",
            *CONFIRMED_FIELDS,
            "updated_at",
        ],
    )


def payment_outcome_save(payment: Payment) -> None:
    """The payment's outcome written as ``payment.save(update_fields=[...])`` writes it
    (its status, failure, fee, success time, what the provider confirmed, the time)."""
    _outcome_save().save(payment)
