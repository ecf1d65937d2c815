"""Payments: starting one, and applying what the provider says happened to it.

The provider is the source of truth. Whatever tells us a payment moved (the shopper
at the fake provider, a Stripe webhook, a periodic sweep) only makes us read the
provider again and apply its answer under a lock on the order and the payment, so a
duplicate, late or out-of-order hint never pays, fulfils or refunds twice.

Locks are always taken order first, then payment, everywhere in this package.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fulfillment.tasks import order_paid
from partners.services import ledger_payment_record
from shop.core import metrics, sql
from shop.core.db import transaction_retry
from shop.core.errors import InvalidInput, ShopError
from shop.core.tasks import enqueue_on_commit
from shop.orders.models import Order, OrderEvent, OrderEventType, OrderStatus
from shop.orders.services import (
    order_cancel_for_lost_stock,
    order_event,
    order_event_write,
    order_lock,
    order_lock_with_rows,
    order_mark_paid,
)
from shop.payments.errors import (
    NotFakePayment,
    OrderNotPayable,
    OrderPaymentExpired,
    PaymentNotPending,
    PaymentProviderNotEnabled,
)
from shop.payments.models import Payment, PaymentProvider, PaymentStatus
from shop.payments.providers import provider_get, providers_enabled
from shop.payments.providers.base import PaymentGateway, ProviderPayment, ProviderPaymentState
from shop.payments.providers.fake import fake_charge_complete
from shop.payments.refunds import refund_external_record, refund_reserve, refund_send

logger = logging.getLogger(__name__)

FAKE_OUTCOMES = ("succeed", "decline")


def payment_start(*, order: Order, provider: str, user: Any = None) -> Payment:
    """Start (or resume) paying an order that waits for payment.

    One pending payment per order and provider is reused, so a shopper who presses
    "pay" twice gets the same payment. When the provider does not answer, the payment
    stays pending without a reference and the next attempt retries it with the same
    idempotency key.
    """
    payment_provider_check(provider)
    gateway = provider_get(provider)
    if gateway.in_process:
        return _payment_start_in_process(order_id=order.pk, gateway=gateway, user=user)
    payment = _payment_prepare(order_id=order.pk, provider=provider)
    if payment.provider_reference:
        return payment
    # A call over the network: never while holding the order's lock.
    created = gateway.create_payment(payment)
    with transaction.atomic():
        locked = Payment.objects.select_for_update(of=("self",), no_key=True).get(pk=payment.pk)
        if not locked.provider_reference:
            _payment_reference_set(locked, created, user=user)
    return locked


@dataclass(frozen=True)
class PaymentOpened:
    """What starting the payment of a just-placed order gave: the payment, or the error
    that kept it from starting (the order stays placed either way)."""

    payment: Payment | None
    error: ShopError | None = None


def payment_provider_check(provider: str) -> None:
    """Refuse a provider this shop does not take, before anything is placed."""
    if provider not in providers_enabled():
        raise PaymentProviderNotEnabled(
            fields={"provider": [_("%(provider)s is not enabled.") % {"provider": provider}]}
        )


def payment_open_for_placed(*, order: Order, provider: str, user: Any = None) -> PaymentOpened:
    """The payment of an order placed a moment ago with a payment asked for in the same
    request (a storefront's one-step "place and pay"). An order still awaiting payment
    starts or resumes its payment with ``provider``; one that no longer waits (the same
    Idempotency-Key sent again after paying) answers with its latest payment. A provider
    that cannot start the payment now leaves the order placed and says why: the shopper
    pays it later through the payments API."""
    if order.status != OrderStatus.PENDING_PAYMENT:
        latest = Payment.objects.filter(order=order).order_by("-id").first()
        if latest is not None:
            latest.order = order
        return PaymentOpened(payment=latest)
    try:
        return PaymentOpened(payment=payment_start(order=order, provider=provider, user=user))
    except ShopError as exc:
        logger.warning("order %s placed; payment not started: %s", order.pk, exc.code)
        return PaymentOpened(payment=None, error=exc)


def payment_in_process(provider: str) -> bool:
    """Whether the provider answers from this process (the fake one), so a payment can
    start inside the transaction that places its order."""
    return provider_get(provider).in_process


def payment_start_for_new_order(
    *, order: Order, provider: str, payment_id: int | None, user: Any = None
) -> tuple[Payment, OrderEvent | None]:
    """Start the payment of an order inside the transaction that is placing it, with a
    provider that answers from this process: no one else sees the order yet, so it has
    no other payment to reuse or cancel and needs no lock. ``payment_id``: the new
    payment's id, taken from its sequence with the order's (None where there is none).
    Returns the payment and its event, which the caller writes with its own (None when
    written already)."""
    gateway = provider_get(provider)
    assert gateway.in_process
    payment = Payment(
        id=payment_id, order=order, provider=provider, amount=order.total, currency=order.currency
    )
    if payment_id is None:
        # No sequence to ask (SQLite): the provider is asked once the row has its id.
        sql.insert([payment])
        _payment_reference_set(payment, gateway.create_payment(payment), user=user)
        return payment, None
    created = gateway.create_payment(payment)
    payment.provider_reference = created.reference
    payment.client_secret = created.client_secret
    sql.insert([payment])
    return payment, _payment_started_event(payment, user=user)


def _payment_reference_set(payment: Payment, created: ProviderPayment, *, user: Any) -> None:
    payment.provider_reference = created.reference
    payment.client_secret = created.client_secret
    sql.update(payment, ["provider_reference", "client_secret", "updated_at"])
    _payment_started(payment, user=user)


def _payment_started_event(payment: Payment, *, user: Any) -> OrderEvent:
    return order_event(
        payment.order,
        OrderEventType.PAYMENT_STARTED,
        data={
            "payment_id": payment.pk,
            "provider": payment.provider,
            "amount": str(payment.amount),
        },
        user=user,
    )


def _payment_started(payment: Payment, *, user: Any) -> None:
    sql.insert([_payment_started_event(payment, user=user)])


@transaction_retry
@transaction.atomic
def _payment_start_in_process(*, order_id: int, gateway: PaymentGateway, user: Any) -> Payment:
    """A provider that answers from this process (the fake one) is asked under the
    order's lock, in the same transaction as the payment it is asked for."""
    payment = _payment_prepare_locked(order_id=order_id, provider=gateway.name)
    if not payment.provider_reference:
        _payment_reference_set(payment, gateway.create_payment(payment), user=user)
    return payment


@transaction_retry
@transaction.atomic
def _payment_prepare(*, order_id: int, provider: str) -> Payment:
    return _payment_prepare_locked(order_id=order_id, provider=provider)


def _payment_prepare_locked(*, order_id: int, provider: str) -> Payment:
    """The order's pending payment with this provider, created if there is none; inside
    the caller's transaction, which holds the order and its pending payments from here."""
    order = order_lock(order_id)
    if order.status == OrderStatus.EXPIRED or (
        order.status == OrderStatus.PENDING_PAYMENT
        and order.expires_at is not None
        and order.expires_at <= timezone.now()
    ):
        raise OrderPaymentExpired()
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise OrderNotPayable(fields={"status": [order.status]})
    pending = list(
        Payment.objects.select_for_update(of=("self",), no_key=True).filter(
            order=order, status=PaymentStatus.PENDING
        )
    )
    reusable = next((p for p in pending if p.provider == provider), None)
    for other in pending:
        if other is not reusable:
            # The shopper switched provider. Should the old one still be paid, the
            # money is returned when we learn of it (see _payment_succeeded).
            other.status = PaymentStatus.CANCELLED
            other.failure_code = "replaced"
            other.save(update_fields=["status", "failure_code", "updated_at"])
    if reusable is not None:
        reusable.order = order
        return reusable
    return Payment.objects.create(
        order=order, provider=provider, amount=order.total, currency=order.currency
    )


def payment_fake_complete(*, payment: Payment, outcome: str) -> Payment:
    """The shopper confirms or declines a payment at the offline fake provider."""
    if payment.provider != PaymentProvider.FAKE:
        raise NotFakePayment()
    if PaymentProvider.FAKE not in providers_enabled():
        # A shop that moved to real payments never lets a shopper confirm their own.
        raise PaymentProviderNotEnabled()
    if outcome not in FAKE_OUTCOMES:
        raise InvalidInput(fields={"outcome": [_("Either succeed or decline.")]})
    if payment.status == PaymentStatus.CANCELLED or not payment.provider_reference:
        raise PaymentNotPending()
    state = fake_charge_complete(reference=payment.provider_reference, succeed=outcome == "succeed")
    return payment_sync(payment_id=payment.pk, payment=payment, state=state)


def payment_sync(
    *, payment_id: int, payment: Payment | None = None, state: ProviderPaymentState | None = None
) -> Payment:
    """Read the provider's truth about a payment and apply it. Safe to call any number
    of times, from any number of processes at once. ``payment``, when the caller has
    just read it, saves reading it again: only its provider, reference and order are
    used, which never change once the payment has a reference. ``state``: the
    provider's truth, when the caller has just had it from the provider itself."""
    if payment is None or payment.pk != payment_id or not payment.provider_reference:
        payment = Payment.objects.get(pk=payment_id)
    if not payment.provider_reference:
        return payment
    if state is None:
        state = provider_get(payment.provider).retrieve(payment.provider_reference)
    applied = _payment_apply(payment_id=payment_id, order_id=payment.order_id, state=state)
    if not applied.to_return and not applied.refunded:
        # Nothing changed the payment or its order after they were written under the
        # locks: they are the stored ones.
        return applied.payment
    for refund_id in applied.to_return:
        # The payment is applied either way; a refund the provider cannot take now
        # stays pending and the periodic sweep sends it again with the same key.
        try:
            refund_send(refund_id=refund_id)
        except ShopError as exc:
            logger.warning("returning payment %s: refund %s: %s", payment_id, refund_id, exc.code)
    payment.refresh_from_db()
    return payment


_PAYMENT = sql.Columns(Payment, *(field.name for field in Payment._meta.concrete_fields))
_PAYMENTS_LOCK = (
    f"SELECT {_PAYMENT.sql('p')} FROM {sql.table(Payment)} p"  # noqa: S608
    " WHERE p.order_id = %s ORDER BY p.id"
)


@dataclass(frozen=True)
class _Applied:
    payment: Payment  # as stored when applying committed, its order too
    to_return: list[int]  # refunds to send once applying has committed
    refunded: bool  # a refund made at the provider was recorded


# Applying reads the provider's state anew under the locks, so after a deadlock with a
# concurrent sync (a webhook storm) the whole transaction can simply run again.
@transaction_retry
@transaction.atomic
def _payment_apply(*, payment_id: int, order_id: int, state: ProviderPaymentState) -> _Applied:
    """Apply the provider's state (``order_id`` is the payment's order, which never
    changes)."""
    # The order, then every payment of it in id order (as everywhere), locked by one
    # statement: whether another one already paid it is then known without asking again.
    locked = order_lock_with_rows(order_id, _PAYMENT)
    if locked is None:  # no order, or none of its payments: as the caller asked
        order = order_lock(order_id, with_channel=True)
        payments = [
            _PAYMENT.build(row) for row in sql.rows(_PAYMENTS_LOCK + sql.lock(), [order_id])
        ]
        locked = (order, payments)
    order, payments = locked
    payment = next(p for p in payments if p.pk == payment_id)
    payment.order = order
    to_return: list[int] = []
    if state.status == PaymentStatus.SUCCEEDED and payment.status != PaymentStatus.SUCCEEDED:
        if payment.status == PaymentStatus.CANCELLED and payment.failure_code == "duplicate":
            # already returned as a second payment of the order
            return _Applied(payment=payment, to_return=to_return, refunded=False)
        already_paid = any(
            p.status == PaymentStatus.SUCCEEDED for p in payments if p.pk != payment_id
        )
        to_return = _payment_succeeded(order, payment, state, already_paid=already_paid)
        if state.amount_refunded > payment.amount_refunded:
            # Paying changed the order's row (amount paid, status): a refund already
            # made at the provider, applied just below, must see the order as paid.
            order.refresh_from_db()
    elif (
        state.status in (PaymentStatus.FAILED, PaymentStatus.CANCELLED)
        and payment.status == PaymentStatus.PENDING
    ):
        _payment_failed(order, payment, state)
    if (
        payment.status == PaymentStatus.SUCCEEDED
        and state.amount_refunded > payment.amount_refunded
    ):
        refund_external_record(
            order=order, payment=payment, amount=state.amount_refunded - payment.amount_refunded
        )
        return _Applied(payment=payment, to_return=to_return, refunded=True)
    return _Applied(payment=payment, to_return=to_return, refunded=False)


def _payment_succeeded(
    order: Order, payment: Payment, state: ProviderPaymentState, *, already_paid: bool
) -> list[int]:
    """``already_paid``: another payment of the order succeeded before this one."""
    now = timezone.now()
    if state.amount != payment.amount:
        logger.error(
            "payment %s: provider reports %s, we asked %s", payment.pk, state.amount, payment.amount
        )
    if already_paid:
        # A second payment for the same order (the shopper paid in two tabs or after
        # switching provider): it never counts; the money goes back in full.
        payment.status = PaymentStatus.CANCELLED
        payment.failure_code = "duplicate"
        payment.failure_message = "The order was already paid by another payment."
        payment.fee = state.fee
        payment.succeeded_at = now
        payment.save()
        refund = refund_reserve(
            order=order, payment=payment, amount=payment.amount, reason="duplicate payment"
        )
        order_event_write(
            order,
            OrderEventType.NOTE,
            data={"note": "second payment returned", "payment_id": payment.pk},
        )
        return [refund.pk]

    payment.status = PaymentStatus.SUCCEEDED
    payment.failure_code = ""
    payment.failure_message = ""
    payment.fee = state.fee
    payment.succeeded_at = now
    sql.update(
        payment,
        ["status", "failure_code", "failure_message", "fee", "succeeded_at", "updated_at"],
    )
    outcome = order_mark_paid(order_id=order.pk, amount=payment.amount, locked=order)
    if outcome.newly_paid:
        ledger_payment_record(payment=payment, first=True)
        enqueue_on_commit(order_paid, order.pk)
        return []

    # The money came for an order that can no longer take it: its stock was sold
    # meanwhile, or it was cancelled. It is returned in full; the order is not paid.
    reason = "stock unavailable" if outcome.stock_lost else f"order {order.status}"
    refund = refund_reserve(order=order, payment=payment, amount=payment.amount, reason=reason)
    if outcome.stock_lost:
        order_cancel_for_lost_stock(order_id=order.pk)
    else:
        order_event_write(
            order,
            OrderEventType.NOTE,
            data={"note": "payment for an order that cannot be paid", "payment_id": payment.pk},
        )
    return [refund.pk]


def _payment_failed(order: Order, payment: Payment, state: ProviderPaymentState) -> None:
    payment.status = state.status
    payment.failure_code = state.failure_code
    payment.failure_message = state.failure_message
    payment.save(update_fields=["status", "failure_code", "failure_message", "updated_at"])
    order_event_write(
        order,
        OrderEventType.PAYMENT_FAILED,
        data={
            "payment_id": payment.pk,
            "status": state.status,
            "failure_code": state.failure_code,
        },
    )
    transaction.on_commit(lambda: metrics.payment_failed(payment.provider))


def payments_sync_stale(*, older_than_minutes: int = 10, limit: int = 200) -> int:
    """Re-read pending payments we have not heard about for a while (a lost webhook)."""
    now = timezone.now()
    ids = list(
        Payment.objects.filter(
            status=PaymentStatus.PENDING,
            updated_at__lt=now - timedelta(minutes=older_than_minutes),
            # An intent nobody completed within a day is not worth asking about again.
            created_at__gt=now - timedelta(days=1),
        )
        .exclude(provider_reference="")
        .order_by("updated_at")
        .values_list("id", flat=True)[:limit]
    )
    synced = 0
    for payment_id in ids:
        try:
            payment_sync(payment_id=payment_id)
            synced += 1
        except ShopError as exc:
            logger.warning("sync of payment %s failed: %s", payment_id, exc.code)
    return synced
