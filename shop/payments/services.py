"""Payments: starting one, and reading back what the provider says happened to it.

Every provider is asked the same way, the offline fake one as Stripe: the payment row
first (under the order's lock), the provider called outside the shop's locks, its
reference stored after. What the provider then confirms is applied by
shop/payments/confirmation.py; refunds are shop/payments/refunds.py and refund_state.py.

Locks are always taken order first, then its payments in id order (locks.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shop.core.db import transaction_retry
from shop.core.errors import InvalidInput, ShopError
from shop.core.kept_inserts import kept_insert
from shop.orders.models import Order, OrderEventType, OrderStatus
from shop.orders.services import order_event_write
from shop.payments.confirmation import payment_apply
from shop.payments.errors import (
    NotFakePayment,
    OrderNotPayable,
    OrderPaymentExpired,
    PaymentNotFound,
    PaymentNotPending,
    PaymentProviderNotEnabled,
    PaymentUnderReview,
)
from shop.payments.kept_writes import payment_reference_update
from shop.payments.locks import order_alone_lock, order_payments_lock
from shop.payments.models import Payment, PaymentProvider, PaymentStatus, Refund
from shop.payments.providers import provider_get, providers_enabled
from shop.payments.providers.base import PaymentOptions, ProviderPayment, ProviderPaymentState
from shop.payments.providers.fake import fake_charge_complete, fake_refund_settle
from shop.payments.refund_state import refund_send, refund_take, refunds_reconcile

logger = logging.getLogger(__name__)

FAKE_OUTCOMES = ("succeed", "decline")
# The ways a page lets the shopper pay (PaymentOptions.scene).
PAYMENT_SCENES = ("jsapi", "h5", "native", "page", "wap")
PAYMENT_SCENES_HELP = (
    "WeChat Pay: jsapi (inside WeChat), h5 (mobile browser), native (QR"
    " code, the default). Alipay: page (PC, the default) or wap (mobile browser)."
)


def channel_payment_provider(order: Order) -> str:
    """The provider an order's storefront takes payments with: its channel's, else the
    shop's default."""
    chosen = order.channel.payment_provider if order.channel_id else ""
    return chosen or settings.SHOP_PAYMENT_PROVIDER


FAKE_REFUND_OUTCOMES = ("succeed", "fail")


def payment_provider_check(provider: str) -> None:
    """Refuse a provider this shop does not take, before anything is placed."""
    if provider not in providers_enabled():
        raise PaymentProviderNotEnabled(
            fields={"provider": [gettext("%(provider)s is not enabled.") % {"provider": provider}]}
        )


def payment_start(
    *, order: Order, provider: str, user: Any = None, options: PaymentOptions | None = None
) -> Payment:
    """Start (or resume) paying an order that waits for payment.

    One pending payment per order and provider is reused, so a shopper who presses
    "pay" twice gets the same payment. A pending payment with another provider is
    cancelled, here and at its provider. When the provider does not answer, the payment
    stays pending without a reference and the next attempt retries it with the same
    idempotency key. ``options``: the way the page lets the shopper pay (WeChat Pay's
    JSAPI, H5 or Native; Alipay's page or mobile web); a pending payment started another
    way is replaced, as one with another provider is.
    """
    payment_provider_check(provider)
    gateway = provider_get(provider)
    options = options or PaymentOptions()
    prepared = _payment_prepare(order_id=order.pk, provider=provider, scene=options.scene)
    # Calls over the network: never while holding the order's lock.
    paid = [
        p for p in prepared.replaced if payment_cancel_at_provider(p) == PaymentStatus.SUCCEEDED
    ]
    payment = prepared.payment
    if paid and not payment.provider_reference:
        # The payment being replaced had succeeded (it now pays the order, or waits for
        # staff): the new one is given up before anyone is asked for money twice.
        _payment_abandon(payment=payment, paid_by=paid[0])
        if Payment.objects.filter(order_id=order.pk, status=PaymentStatus.REVIEW).exists():
            raise PaymentUnderReview()
        raise OrderNotPayable(fields={"status": ["paid"]})
    if payment.provider_reference:
        return payment
    created = gateway.create_payment(payment, options)
    stored = _payment_reference_store(payment=payment, created=created, user=user)
    if stored.status == PaymentStatus.CANCELLED:
        # Replaced by a payment with another provider while this one was being created.
        payment_cancel_at_provider(stored)
    return stored


@dataclass(frozen=True)
class _Prepared:
    payment: Payment
    replaced: list[Payment] = field(default_factory=list)  # to cancel at their provider


# What preparing a payment reads of its order, and what the providers and the answer
# read of the payment's (an event of it needs only its id).
_ORDER_PAYABLE_FIELDS = ("id", "number", "status", "expires_at", "total", "currency")


@transaction_retry
@transaction.atomic
def _payment_prepare(*, order_id: int, provider: str, scene: str = "") -> _Prepared:
    """The order's pending payment with this provider, created if there is none; the
    order's pending payments with other providers are cancelled."""
    order, payments = order_payments_lock(order_id, order_fields=_ORDER_PAYABLE_FIELDS)
    if order.status == OrderStatus.EXPIRED or (
        order.status == OrderStatus.PENDING_PAYMENT
        and order.expires_at is not None
        and order.expires_at <= timezone.now()
    ):
        raise OrderPaymentExpired()
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise OrderNotPayable(fields={"status": [order.status]})
    if any(p.status == PaymentStatus.REVIEW for p in payments):
        raise PaymentUnderReview()
    pending = [p for p in payments if p.status == PaymentStatus.PENDING]
    reusable = next(
        (p for p in pending if p.provider == provider and p.action.get("scene", "") == scene),
        None,
    )
    replaced = [p for p in pending if p is not reusable]
    for other in replaced:
        # The shopper switched provider; the old payment is cancelled at its provider
        # once these locks are let go. Should it be paid all the same, it pays the order,
        # or goes back in full when another payment did (confirmation.py).
        other.status = PaymentStatus.CANCELLED
        other.failure_code = "replaced"
        other.save(update_fields=["status", "failure_code", "updated_at"])
        order_event_write(
            order,
            OrderEventType.PAYMENT_FAILED,
            data={"payment_id": other.pk, "status": other.status, "failure_code": "replaced"},
        )
    if reusable is not None:
        return _Prepared(reusable, replaced)
    payment = Payment(
        order=order,
        provider=provider,
        amount=order.total,
        currency=order.currency,
        action={"scene": scene} if scene else {},
    )
    kept_insert(Payment).insert([payment])
    return _Prepared(payment, replaced)


@transaction_retry
@transaction.atomic
def _payment_reference_store(*, payment: Payment, created: ProviderPayment, user: Any) -> Payment:
    # The order locked first, as everywhere (the event below needs only its id); the
    # payment row is then changed only while it waits without a reference, the usual case.
    order = order_alone_lock(payment.order_id, order_fields=("id",))
    reference, client_secret = created.reference, created.client_secret
    changes = {
        "provider_reference": reference,
        "client_secret": client_secret,
        "action": created.action,
        "updated_at": timezone.now(),
    }
    if not payment_reference_update(payment.pk, changes):
        # A concurrent request stored it first, or the payment was replaced meanwhile:
        # a replaced one keeps its reference too, so it can be cancelled at the provider.
        payment = Payment.objects.select_for_update(of=("self",), no_key=True).get(pk=payment.pk)
        if payment.provider_reference:
            return payment
        Payment.objects.filter(pk=payment.pk).update(**changes)
    payment.provider_reference = reference
    payment.client_secret = client_secret
    payment.action = created.action
    order_event_write(
        order,
        OrderEventType.PAYMENT_STARTED,
        data={
            "payment_id": payment.pk,
            "provider": payment.provider,
            "amount": str(payment.amount),
        },
        user=user,
    )
    return payment


def payment_cancel_at_provider(payment: Payment) -> str | None:
    """Cancel at its provider a payment the shop cancelled (idempotency key
    ``payment-<id>-cancel``). One that succeeded meanwhile is applied the normal way: it
    pays the order, or is returned in full when another payment did. When the provider
    does not answer, the stale-payments sweep asks again. Returns the status the
    provider confirmed (None: not known)."""
    if not payment.provider_reference:
        return None  # never created there
    try:
        state = provider_get(payment.provider).cancel_payment(payment)
    except ShopError as exc:
        logger.warning("payment %s not cancelled at %s: %s", payment.pk, payment.provider, exc.code)
        return None
    payment_sync(payment_id=payment.pk, payment=payment, state=state)
    return state.status


@transaction_retry
@transaction.atomic
def _payment_abandon(*, payment: Payment, paid_by: Payment) -> None:
    """A payment never sent to its provider is given up: its order was paid meanwhile."""
    order = Order.objects.select_for_update(of=("self",), no_key=True).get(pk=payment.order_id)
    given_up = Payment.objects.filter(
        pk=payment.pk, provider_reference="", status=PaymentStatus.PENDING
    ).update(status=PaymentStatus.CANCELLED, failure_code="order_paid", updated_at=timezone.now())
    if given_up:
        order_event_write(
            order,
            OrderEventType.PAYMENT_FAILED,
            data={
                "payment_id": payment.pk,
                "status": PaymentStatus.CANCELLED,
                "failure_code": "order_paid",
                "paid_by": paid_by.pk,
            },
        )


@dataclass(frozen=True)
class PaymentOpened:
    """What starting the payment of a just-placed order gave: the payment, or the error
    that kept it from starting (the order stays placed either way)."""

    payment: Payment | None
    error: ShopError | None = None


def payment_open_for_placed(
    *, order: Order, provider: str, user: Any = None, options: PaymentOptions | None = None
) -> PaymentOpened:
    """The payment of an order placed a moment ago with a payment asked for in the same
    request (a storefront's one-step "place and pay"), started once the order is
    committed, as every payment is. An order still awaiting payment starts or resumes
    its payment with ``provider``; one that no longer waits (the same Idempotency-Key
    sent again after paying) answers with its latest payment. A provider that cannot
    start the payment now leaves the order placed and says why: the shopper pays it
    later through the payments API. ``options``: the way the page lets the shopper pay,
    as with the payments API (WeChat Pay's scene and openid, the shopper's address)."""
    if order.status != OrderStatus.PENDING_PAYMENT:
        latest = Payment.objects.filter(order=order).order_by("-id").first()
        if latest is not None:
            latest.order = order
        return PaymentOpened(payment=latest)
    try:
        payment = payment_start(order=order, provider=provider, user=user, options=options)
    except ShopError as exc:
        logger.warning("order %s placed; payment not started: %s", order.pk, exc.code)
        return PaymentOpened(payment=None, error=exc)
    payment.order = order  # as placed a moment ago: what the answer shows of it
    return PaymentOpened(payment=payment)


def payment_fake_complete(
    *,
    payment: Payment,
    outcome: str,
    amount: Decimal | None = None,
    currency: str | None = None,
    refunds_wait: bool = False,
) -> Payment:
    """The shopper confirms or declines a payment at the offline fake provider, which then
    is read back like any provider. ``amount``/``currency``: what the payment brought in
    when not what was asked; ``refunds_wait``: its refunds stay pending until settled."""
    if payment.provider != PaymentProvider.FAKE:
        raise NotFakePayment()
    if PaymentProvider.FAKE not in providers_enabled():
        # A shop that moved to real payments never lets a shopper confirm their own.
        raise PaymentProviderNotEnabled()
    if outcome not in FAKE_OUTCOMES:
        raise InvalidInput(fields={"outcome": [gettext("Either succeed or decline.")]})
    if payment.status == PaymentStatus.CANCELLED or not payment.provider_reference:
        raise PaymentNotPending()
    state = fake_charge_complete(
        reference=payment.provider_reference,
        succeed=outcome == "succeed",
        amount=amount,
        currency=currency,
        refunds_wait=refunds_wait,
    )
    # The fake provider answered with the charge as it now is: that is what is applied.
    return payment_sync(payment_id=payment.pk, payment=payment, state=state)


def refund_fake_settle(*, reference: str, outcome: str) -> Refund:
    """A refund the offline fake provider kept pending succeeds or fails there (what a
    bank does to an Alipay refund); the shop then reads it back like a Stripe webhook's
    refund, and applies it."""
    if PaymentProvider.FAKE not in providers_enabled():
        raise PaymentProviderNotEnabled()
    if outcome not in FAKE_REFUND_OUTCOMES:
        raise InvalidInput(fields={"outcome": [str(_("Choose succeed or fail."))]})
    settled = fake_refund_settle(reference=reference, succeed=outcome == "succeed")
    payment = Payment.objects.filter(
        provider=PaymentProvider.FAKE, provider_reference=settled.payment_reference
    ).first()
    if payment is None:
        raise PaymentNotFound()
    state = provider_get(PaymentProvider.FAKE).retrieve_refund(reference)
    refund_id = refund_take(payment, state)
    if refund_id is None:
        raise PaymentNotFound()
    return Refund.objects.get(pk=refund_id)


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
    applied = payment_apply(payment_id=payment_id, order_id=payment.order_id, state=state)
    for refund_id in applied.to_send:
        # The payment is applied either way; a refund the provider cannot take now
        # stays pending and the periodic sweep sends it again with the same key.
        try:
            refund_send(refund_id=refund_id)
        except ShopError as exc:
            logger.warning("returning payment %s: refund %s: %s", payment_id, refund_id, exc.code)
    if applied.refunds_differ:
        # The provider counts refunds we do not (made in its dashboard) or no longer
        # counts one of ours (it failed): its refunds are read and applied one by one.
        refunds_reconcile(payment=applied.payment)
    if not applied.to_send and not applied.refunds_differ:
        # Nothing changed the payment or its order after they were written under the
        # locks: they are the stored ones.
        return applied.payment
    fresh = Payment.objects.select_related("order").get(pk=payment_id)
    return fresh


def payments_sync_stale(*, older_than_minutes: int = 10, limit: int = 200) -> int:
    """Re-read pending payments we have not heard about for a while (a lost webhook), and
    cancel again at their provider the replaced ones it has not confirmed cancelled."""
    now = timezone.now()
    stale = Q(updated_at__lt=now - timedelta(minutes=older_than_minutes)) & Q(
        # An intent nobody completed within a day is not worth asking about again.
        created_at__gt=now - timedelta(days=1)
    )
    pending = Q(status=PaymentStatus.PENDING)
    uncancelled = (
        Q(status=PaymentStatus.CANCELLED, failure_code="replaced")
        & ~Q(confirmed_status=PaymentStatus.CANCELLED)
        & ~Q(confirmed_status=PaymentStatus.SUCCEEDED)
    )
    payments = list(
        Payment.objects.filter(stale & (pending | uncancelled))
        .exclude(provider_reference="")
        .order_by("updated_at")[:limit]
    )
    synced = 0
    for payment in payments:
        try:
            if payment.status == PaymentStatus.CANCELLED:
                payment_cancel_at_provider(payment)
            else:
                payment_sync(payment_id=payment.pk, payment=payment)
            synced += 1
        except ShopError as exc:
            logger.warning("sync of payment %s failed: %s", payment.pk, exc.code)
    return synced
