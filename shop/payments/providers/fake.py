"""The offline fake provider: no network, deterministic references, confirmed by the shopper.

Its side of each payment lives in :class:`FakeCharge`, so the shop reads it back the
same way it reads Stripe and the whole payment flow runs in development and the demo.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.core import sql
from shop.payments.errors import PaymentNotFound, PaymentNotPending, PaymentProviderRejected
from shop.payments.models import (
    FakeCharge,
    FakeChargeStatus,
    Payment,
    PaymentStatus,
    Refund,
    RefundStatus,
)
from shop.payments.providers.base import (
    PaymentGateway,
    ProviderPayment,
    ProviderPaymentState,
    ProviderRefund,
    refund_idempotency_key,
)

_STATUS = {
    FakeChargeStatus.REQUIRES_PAYMENT: PaymentStatus.PENDING,
    FakeChargeStatus.SUCCEEDED: PaymentStatus.SUCCEEDED,
    FakeChargeStatus.FAILED: PaymentStatus.FAILED,
}


_REFUND_KEYS = FakeCharge._meta.get_field("refund_keys")
_CHARGE_CREATE = (
    f"INSERT INTO {sql.table(FakeCharge)}"  # noqa: S608
    " (reference, currency, amount, amount_refunded, status, refund_keys, created_at)"
    " VALUES (%s, %s, %s, 0, %s, %s, %s) ON CONFLICT (reference) DO NOTHING RETURNING status"
)


def fake_reference(payment: Payment) -> str:
    return f"fake_pi_{payment.pk}"


class FakeGateway(PaymentGateway):
    name = "fake"
    in_process = True

    def create_payment(self, payment: Payment) -> ProviderPayment:
        reference = fake_reference(payment)
        # Asked under the lock of the payment's order (in_process): no one else creates
        # this charge meanwhile. Created once; asked again, the charge as it is.
        created = sql.row(
            _CHARGE_CREATE,
            [
                reference,
                payment.currency,
                payment.amount,
                FakeChargeStatus.REQUIRES_PAYMENT,
                sql.value(_REFUND_KEYS, []),
                sql.now_param(timezone.now()),
            ],
        )
        if created is not None:
            status = str(created[0])
        else:
            status = FakeCharge.objects.values_list("status", flat=True).get(reference=reference)
        return ProviderPayment(
            reference=reference,
            client_secret=f"{reference}_secret",
            status=_STATUS[FakeChargeStatus(status)],
        )

    def retrieve(self, reference: str) -> ProviderPaymentState:
        charge = FakeCharge.objects.filter(reference=reference).first()
        if charge is None:
            raise PaymentNotFound()
        return _state(
            reference, charge.status, charge.amount, charge.currency, charge.amount_refunded
        )

    @transaction.atomic
    def refund(self, payment: Payment, refund: Refund) -> ProviderRefund:
        key = refund_idempotency_key(refund)
        reference = f"fake_re_{refund.pk}"
        charge = FakeCharge.objects.select_for_update(of=("self",), no_key=True).get(
            reference=payment.provider_reference
        )
        if key in charge.refund_keys:
            return ProviderRefund(reference=reference, status=RefundStatus.SUCCEEDED)
        if charge.status != FakeChargeStatus.SUCCEEDED:
            raise PaymentProviderRejected(_("The fake provider has nothing captured to refund."))
        updated = FakeCharge.objects.filter(
            pk=charge.pk, amount_refunded__lte=F("amount") - refund.amount
        ).update(amount_refunded=F("amount_refunded") + refund.amount)
        if updated != 1:
            raise PaymentProviderRejected(
                _("The fake provider refuses to refund more than was paid.")
            )
        charge.refund_keys = [*charge.refund_keys, key]
        charge.save(update_fields=["refund_keys"])
        return ProviderRefund(reference=reference, status=RefundStatus.SUCCEEDED)


def _state(
    reference: str, status: str, amount: Any, currency: str, refunded: Any
) -> ProviderPaymentState:
    return ProviderPaymentState(
        reference=reference,
        status=_STATUS[FakeChargeStatus(status)],
        amount=sql.money(amount),
        currency=currency,
        amount_refunded=sql.money(refunded),
        failure_code="card_declined" if status == FakeChargeStatus.FAILED else "",
        failure_message=(
            "The fake provider declined the payment." if status == FakeChargeStatus.FAILED else ""
        ),
    )


_COMPLETE = (
    f"UPDATE {sql.table(FakeCharge)} SET status = %s"  # noqa: S608
    " WHERE reference = %s AND status = %s RETURNING amount, currency, amount_refunded"
)


def fake_charge_complete(*, reference: str, succeed: bool) -> ProviderPaymentState:
    """The shopper confirms or declines at the fake provider; only once per charge.
    Returns the provider's state of the charge just completed."""
    target = FakeChargeStatus.SUCCEEDED if succeed else FakeChargeStatus.FAILED
    completed = sql.row(_COMPLETE, [target, reference, FakeChargeStatus.REQUIRES_PAYMENT])
    if completed is not None:
        amount, currency, refunded = completed
        return _state(reference, target, amount, currency, refunded)
    charge = FakeCharge.objects.filter(reference=reference).first()
    if charge is None:
        raise PaymentNotFound()
    if charge.status != target:
        raise PaymentNotPending()
    # Completed the same way before (a second click): the charge as it is now.
    return _state(reference, charge.status, charge.amount, charge.currency, charge.amount_refunded)
