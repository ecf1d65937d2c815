"""The offline fake provider: no network, deterministic references, confirmed by the shopper.

Its side of each payment and refund lives in its own book (:class:`FakeCharge`,
:class:`FakeRefund`), so the shop asks and reads it exactly the way it asks and reads
Stripe: outside the shop's transactions, by reference, and every hint (the shopper's
confirmation, a refund settled) is followed by reading the provider back.

Its own API, for development, tests and the demo, plays what happens at a real
provider: the shopper confirms or declines (:func:`fake_charge_complete`, possibly for
another amount or currency than asked), and a refund of a charge whose refunds wait
(as Alipay's and WeChat Pay's do) succeeds or fails later (:func:`fake_refund_settle`).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from shop.payments.errors import PaymentNotFound, PaymentNotPending, PaymentProviderRejected
from shop.payments.models import (
    FakeCharge,
    FakeChargeStatus,
    FakeRefund,
    Payment,
    PaymentStatus,
    Refund,
    RefundStatus,
)
from shop.payments.providers.base import (
    PaymentGateway,
    PaymentOptions,
    ProviderPayment,
    ProviderPaymentState,
    ProviderRefundState,
    refund_idempotency_key,
)

_STATUS = {
    FakeChargeStatus.REQUIRES_PAYMENT: PaymentStatus.PENDING,
    FakeChargeStatus.SUCCEEDED: PaymentStatus.SUCCEEDED,
    FakeChargeStatus.FAILED: PaymentStatus.FAILED,
    FakeChargeStatus.CANCELLED: PaymentStatus.CANCELLED,
}


def fake_reference(payment: Payment) -> str:
    return f"fake_pi_{payment.pk}"


class FakeGateway(PaymentGateway):
    name = "fake"

    def create_payment(
        self, payment: Payment, options: PaymentOptions | None = None
    ) -> ProviderPayment:
        # Created once per payment, whoever asks first (one INSERT that does nothing when
        # an earlier attempt whose answer was lost made it); asked again, the same one.
        reference = fake_reference(payment)
        FakeCharge.objects.bulk_create(
            [FakeCharge(reference=reference, amount=payment.amount, currency=payment.currency)],
            ignore_conflicts=True,
        )
        return ProviderPayment(reference=reference, client_secret=f"{reference}_secret")

    def retrieve(self, reference: str) -> ProviderPaymentState:
        return _state(_charge(reference))

    def cancel_payment(self, payment: Payment) -> ProviderPaymentState:
        reference = payment.provider_reference
        FakeCharge.objects.filter(
            reference=reference, status=FakeChargeStatus.REQUIRES_PAYMENT
        ).update(status=FakeChargeStatus.CANCELLED)
        return _state(_charge(reference))

    @transaction.atomic
    def refund(self, payment: Payment, refund: Refund) -> ProviderRefundState:
        key = refund_idempotency_key(refund)
        made = FakeRefund.objects.filter(idempotency_key=key).first()
        if made is not None:  # asked again with the same key: the refund as it is
            return _refund_state(made, payment.provider_reference)
        charge = (
            FakeCharge.objects.select_for_update(of=("self",), no_key=True)
            .filter(reference=payment.provider_reference)
            .first()
        )
        if charge is None or charge.status != FakeChargeStatus.SUCCEEDED:
            raise PaymentProviderRejected(_("The fake provider has nothing captured to refund."))
        received = charge.amount_received if charge.amount_received is not None else charge.amount
        if charge.amount_refunded + refund.amount > received:
            raise PaymentProviderRejected(
                _("The fake provider refuses to refund more than was paid.")
            )
        FakeCharge.objects.filter(pk=charge.pk).update(
            amount_refunded=F("amount_refunded") + refund.amount
        )
        made = FakeRefund.objects.create(
            reference=f"fake_re_{refund.pk}",
            charge=charge,
            idempotency_key=key,
            refund_id=refund.pk,
            amount=refund.amount,
            status=RefundStatus.PENDING if charge.refunds_wait else RefundStatus.SUCCEEDED,
        )
        return _refund_state(made, charge.reference)

    def retrieve_refund(self, reference: str) -> ProviderRefundState:
        made = FakeRefund.objects.select_related("charge").filter(reference=reference).first()
        if made is None:
            raise PaymentNotFound()
        return _refund_state(made, made.charge.reference)

    def refunds_list(self, payment_reference: str) -> list[ProviderRefundState]:
        return [
            _refund_state(made, payment_reference)
            for made in FakeRefund.objects.filter(charge__reference=payment_reference).order_by(
                "pk"
            )
        ]


def _charge(reference: str) -> FakeCharge:
    # The reference is unique: no ordering to compile or sort.
    charge = next(iter(FakeCharge.objects.filter(reference=reference).order_by()[:1]), None)
    if charge is None:
        raise PaymentNotFound()
    return charge


def _state(charge: FakeCharge) -> ProviderPaymentState:
    failed = charge.status == FakeChargeStatus.FAILED
    amount = charge.amount
    if charge.status == FakeChargeStatus.SUCCEEDED and charge.amount_received is not None:
        amount = charge.amount_received  # what the shopper's payment brought in
    return ProviderPaymentState(
        reference=charge.reference,
        status=_STATUS[FakeChargeStatus(charge.status)],
        amount=amount,
        currency=charge.currency,
        amount_refunded=charge.amount_refunded,
        failure_code="card_declined" if failed else "",
        failure_message="The fake provider declined the payment." if failed else "",
    )


def _refund_state(made: FakeRefund, payment_reference: str) -> ProviderRefundState:
    return ProviderRefundState(
        reference=made.reference,
        status=made.status,
        amount=made.amount,
        payment_reference=payment_reference,
        refund_id=made.refund_id,
        failure_code="fake_refund_failed" if made.status == RefundStatus.FAILED else "",
    )


def fake_charge_complete(
    *,
    reference: str,
    succeed: bool,
    amount: Decimal | None = None,
    currency: str | None = None,
    refunds_wait: bool = False,
) -> ProviderPaymentState:
    """The shopper confirms or declines at the fake provider; only once per charge.
    ``amount`` and ``currency``: what the shopper's payment brought in when not what was
    asked (a bank that converted, a partial capture). ``refunds_wait``: refunds of this
    charge stay pending until :func:`fake_refund_settle`. Returns the charge's state."""
    target = FakeChargeStatus.SUCCEEDED if succeed else FakeChargeStatus.FAILED
    changes: dict[str, object] = {"status": target, "refunds_wait": refunds_wait}
    if succeed:
        changes["amount_received"] = amount if amount is not None else F("amount")
        if currency:
            changes["currency"] = currency.upper()
    completed = FakeCharge.objects.filter(
        reference=reference, status=FakeChargeStatus.REQUIRES_PAYMENT
    ).update(**changes)
    charge = _charge(reference)
    if not completed and charge.status != target:
        raise PaymentNotPending()
    # Completed now, or the same way before (a second click): the charge as it is.
    return _state(charge)


@transaction.atomic
def fake_refund_settle(*, reference: str, succeed: bool) -> ProviderRefundState:
    """A refund the fake provider kept pending succeeds or fails, as a bank settles it;
    a failed one gives its amount back to the charge (Stripe does the same)."""
    found = (
        FakeRefund.objects.select_for_update(of=("self",), no_key=True)
        .select_related("charge")
        .filter(reference=reference)
        .first()
    )
    if found is None:
        raise PaymentNotFound()
    if found.status != RefundStatus.PENDING:
        if found.status != (RefundStatus.SUCCEEDED if succeed else RefundStatus.FAILED):
            raise PaymentNotPending()
        return _refund_state(found, found.charge.reference)
    found.status = RefundStatus.SUCCEEDED if succeed else RefundStatus.FAILED
    found.save(update_fields=["status"])
    if not succeed:
        FakeCharge.objects.filter(pk=found.charge_id).update(
            amount_refunded=F("amount_refunded") - found.amount
        )
    return _refund_state(found, found.charge.reference)
