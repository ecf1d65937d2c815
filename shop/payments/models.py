"""Payments, refunds and the provider events we have seen."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from shop.core.models import TimeStampedModel, currency_field, money_field


class PaymentProvider(models.TextChoices):
    FAKE = "fake", "Offline fake provider"
    STRIPE = "stripe", "Stripe"


class PaymentStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the shopper"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class Payment(TimeStampedModel):
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(max_length=16, choices=PaymentProvider.choices)
    provider_reference = models.CharField(max_length=100, blank=True)
    status = models.CharField(
        max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    currency = currency_field()
    amount = money_field()
    amount_refunded = money_field(default=Decimal("0"))
    fee = money_field(default=Decimal("0"), help_text="What the provider charged us.")
    client_secret = models.CharField(max_length=255, blank=True)
    failure_code = models.CharField(max_length=64, blank=True)
    failure_message = models.CharField(max_length=255, blank=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_gt_0"),
            models.CheckConstraint(
                condition=Q(amount_refunded__gte=0) & Q(amount_refunded__lte=F("amount")),
                name="payment_refunded_within_amount",
            ),
            # An order is paid by one successful payment, never two.
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(status="succeeded"),
                name="payment_one_success_per_order",
            ),
            models.UniqueConstraint(
                fields=["provider", "provider_reference"],
                condition=~Q(provider_reference=""),
                name="payment_provider_reference_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.provider_reference or self.pk} {self.status}"


class RefundStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class Refund(TimeStampedModel):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="refunds")
    amount = money_field()
    currency = currency_field()
    reason = models.CharField(max_length=255, blank=True)
    status = models.CharField(
        max_length=16, choices=RefundStatus.choices, default=RefundStatus.PENDING
    )
    provider_reference = models.CharField(max_length=100, blank=True)
    lines = models.JSONField(
        default=list, blank=True, help_text='[{"line_id": 1, "quantity": 1}] when by line.'
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_gt_0"),
        ]

    def __str__(self) -> str:
        return f"refund {self.amount} of payment {self.payment_id}"


class WebhookEvent(models.Model):
    """A provider event, stored once by its id; events are hints, never the truth."""

    provider = models.CharField(max_length=16, choices=PaymentProvider.choices)
    event_id = models.CharField(max_length=100)
    type = models.CharField(max_length=100)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="webhook_event_once"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_id}"


class FakeChargeStatus(models.TextChoices):
    REQUIRES_PAYMENT = "requires_payment", "Waiting for the shopper"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Declined"


class FakeCharge(models.Model):
    """The offline fake provider's own book: its side of a payment, kept apart from ours.

    The shop reads it the way it reads Stripe, so the development and demo flow runs
    the same code as real payments.
    """

    reference = models.CharField(max_length=100, unique=True)
    currency = currency_field()
    amount = money_field()
    amount_refunded = money_field(default=Decimal("0"))
    status = models.CharField(
        max_length=20, choices=FakeChargeStatus.choices, default=FakeChargeStatus.REQUIRES_PAYMENT
    )
    refund_keys = models.JSONField(
        default=list, blank=True, help_text="Idempotency keys of the refunds already made."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_refunded__gte=0) & Q(amount_refunded__lte=F("amount")),
                name="fake_charge_refunded_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.status}"
