"""Payments, refunds and the provider events we have seen."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from shop.core.models import TimeStampedModel, currency_field, money_field


class PaymentProvider(models.TextChoices):
    FAKE = "fake", _("Offline fake provider")
    STRIPE = "stripe", _("Stripe")
    WECHATPAY = "wechatpay", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")


class PaymentStatus(models.TextChoices):
    """Where a payment stands in the shop (README: "Payments and refunds").

    pending -> succeeded (the provider confirmed the amount and currency asked for)
    pending -> review (it confirmed another amount or currency: staff decide)
    review -> succeeded (accepted) or cancelled with failure_code "returned" (refunded)
    pending -> failed (declined; the shopper may retry) or cancelled (replaced, expired)
    """

    PENDING = "pending", _("Waiting for the shopper")
    SUCCEEDED = "succeeded", _("Succeeded")
    REVIEW = "review", _("Held for review")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


# What counts as captured: what the provider confirmed once it did, what we asked before.
CAPTURED = Coalesce(F("confirmed_amount"), F("amount"))


class Payment(TimeStampedModel):
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="payments", verbose_name=_("order")
    )
    provider = models.CharField(
        max_length=16, choices=PaymentProvider.choices, verbose_name=_("provider")
    )
    provider_reference = models.CharField(
        max_length=100, blank=True, verbose_name=_("provider reference")
    )
    status = models.CharField(
        max_length=16,
        choices=PaymentStatus.choices,
        default=PaymentStatus.PENDING,
        verbose_name=_("status"),
    )
    currency = currency_field()
    amount = money_field(verbose_name=_("amount"))
    amount_refunded = money_field(default=Decimal("0"), verbose_name=_("amount refunded"))
    fee = money_field(
        default=Decimal("0"), help_text=_("What the provider charged us."), verbose_name=_("fee")
    )
    client_secret = models.CharField(max_length=255, blank=True, verbose_name=_("client secret"))
    action = models.JSONField(
        default=dict,
        blank=True,
        verbose_name=_("payment action"),
        help_text=_(
            "What the storefront's page needs to let the shopper pay (WeChat Pay"
            " prepay parameters, a redirect URL or a QR code string)."
        ),
    )
    failure_code = models.CharField(max_length=64, blank=True, verbose_name=_("failure code"))
    failure_message = models.CharField(
        max_length=255, blank=True, verbose_name=_("failure message")
    )
    succeeded_at = models.DateTimeField(null=True, blank=True, verbose_name=_("succeeded at"))
    # The provider's word, as last read back and applied under the order's lock: what
    # the invariant check compares the order and the ledger with.
    confirmed_status = models.CharField(
        max_length=16,
        choices=PaymentStatus.choices,
        blank=True,
        help_text=_("The payment's status as the provider last confirmed it."),
        verbose_name=_("confirmed status"),
    )
    confirmed_amount = money_field(
        null=True,
        blank=True,
        help_text=_("The amount the provider last confirmed captured."),
        verbose_name=_("confirmed amount"),
    )
    confirmed_currency = models.CharField(
        max_length=3, blank=True, verbose_name=_("confirmed currency")
    )
    confirmed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("confirmed at"))

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_gt_0"),
            # Refunds (pending ones included) never exceed what was captured.
            models.CheckConstraint(
                condition=Q(amount_refunded__gte=0) & Q(amount_refunded__lte=CAPTURED),
                name="payment_refunded_within_captured",
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
        return _("%(provider)s payment %(reference)s (%(status)s)") % {
            "provider": self.get_provider_display(),
            "reference": self.provider_reference or self.pk,
            "status": self.get_status_display(),
        }


class RefundStatus(models.TextChoices):
    """pending (reserved; sent, or being sent) -> succeeded when the provider says so,
    or -> failed when it refuses, fails or cancels it (the amount is refundable again).
    Only a succeeded refund moves the order's money and the ledger."""

    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class Refund(TimeStampedModel):
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("payment")
    )
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="refunds", verbose_name=_("order")
    )
    amount = money_field(verbose_name=_("amount"))
    currency = currency_field()
    reason = models.CharField(max_length=255, blank=True, verbose_name=_("reason"))
    status = models.CharField(
        max_length=16,
        choices=RefundStatus.choices,
        default=RefundStatus.PENDING,
        verbose_name=_("status"),
    )
    provider_reference = models.CharField(
        max_length=100, blank=True, verbose_name=_("provider reference")
    )
    lines = models.JSONField(
        default=list,
        blank=True,
        help_text=_('[{"line_id": 1, "quantity": 1}] when by line.'),
        verbose_name=_("lines"),
    )
    shipping = models.BooleanField(
        default=False,
        help_text=_("A refund of the shipping charge alone: it moves only the shipping income."),
        verbose_name=_("shipping only"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("created by"),
    )
    fee_returned = money_field(
        default=Decimal("0"),
        help_text=_(
            "The share of the payment's fee the provider gave back with this refund"
            " (WeChat Pay and Alipay do; Stripe does not)."
        ),
        verbose_name=_("fee returned"),
    )
    succeeded_at = models.DateTimeField(null=True, blank=True, verbose_name=_("succeeded at"))
    confirmed_status = models.CharField(
        max_length=16,
        choices=RefundStatus.choices,
        blank=True,
        help_text=_("The refund's status as the provider last confirmed it."),
        verbose_name=_("confirmed status"),
    )
    confirmed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("confirmed at"))
    failure_code = models.CharField(max_length=64, blank=True, verbose_name=_("failure code"))
    # A staff client's Idempotency-Key, and the SHA-256 of the request that sent it
    # (shop.orders.idempotency): a retry gets this refund, not a second one.
    idempotency_key = models.CharField(
        max_length=100, blank=True, editable=False, verbose_name=_("idempotency key")
    )
    idempotency_fingerprint = models.CharField(
        max_length=64, blank=True, editable=False, verbose_name=_("idempotency fingerprint")
    )

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_gt_0"),
            models.CheckConstraint(
                condition=Q(fee_returned__gte=0), name="refund_fee_returned_gte_0"
            ),
            models.UniqueConstraint(
                fields=["order", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="refund_order_idempotency_key",
            ),
            # A refund at the provider is recorded once, whoever reads it first.
            models.UniqueConstraint(
                fields=["payment", "provider_reference"],
                condition=~Q(provider_reference=""),
                name="refund_provider_reference_unique",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return _("Refund of %(amount)s on order %(order)s") % {
            "amount": self.amount,
            "order": self.order,
        }


class WebhookEvent(models.Model):
    """A provider event, stored once by its id; events are hints, never the truth."""

    provider = models.CharField(
        max_length=16, choices=PaymentProvider.choices, verbose_name=_("provider")
    )
    event_id = models.CharField(max_length=100, verbose_name=_("event ID"))
    type = models.CharField(max_length=100, verbose_name=_("type"))
    payload = models.JSONField(verbose_name=_("payload"))
    received_at = models.DateTimeField(auto_now_add=True, verbose_name=_("received at"))
    processed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("processed at"))

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="webhook_event_once"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_id}"


class PaymentAlert(models.Model):
    """An e-mail to staff about money that needs a person (a payment held for review, a
    refund that failed), sent once per subject: written with the sending, in one
    transaction."""

    key = models.CharField(
        max_length=100, unique=True, verbose_name=_("key")
    )  # "payment-review:12"
    order = models.ForeignKey(
        "orders.Order", on_delete=models.CASCADE, related_name="+", verbose_name=_("order")
    )
    recipients = models.JSONField(default=list, verbose_name=_("recipients"))
    sent_at = models.DateTimeField(auto_now_add=True, verbose_name=_("sent at"))

    class Meta:
        verbose_name = _("payment alert")
        verbose_name_plural = _("payment alerts")

    def __str__(self) -> str:
        return self.key


class FakeChargeStatus(models.TextChoices):
    REQUIRES_PAYMENT = "requires_payment", _("Waiting for the shopper")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


class FakeCharge(models.Model):
    """The offline fake provider's own book: its side of a payment, kept apart from ours.

    The shop reads it the way it reads Stripe, so the development and demo flow runs
    the same code as real payments.
    """

    reference = models.CharField(max_length=100, unique=True, verbose_name=_("reference"))
    currency = currency_field()
    amount = money_field(help_text=_("What the shop asked for."), verbose_name=_("amount"))
    amount_received = money_field(
        null=True,
        blank=True,
        help_text=_("What the shopper's payment brought in, once it did."),
        verbose_name=_("amount received"),
    )
    amount_refunded = money_field(
        default=Decimal("0"),
        help_text=_("Pending and succeeded refunds, as Stripe counts them."),
        verbose_name=_("amount refunded"),
    )
    status = models.CharField(
        max_length=20,
        choices=FakeChargeStatus.choices,
        default=FakeChargeStatus.REQUIRES_PAYMENT,
        verbose_name=_("status"),
    )
    refunds_wait = models.BooleanField(
        default=False,
        help_text=_(
            "Its refunds stay pending until settled through the fake provider's API, as"
            " Alipay's and WeChat Pay's do."
        ),
        verbose_name=_("refunds wait"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("fake charge")
        verbose_name_plural = _("fake charges")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_refunded__gte=0)
                & Q(amount_refunded__lte=Coalesce(F("amount_received"), F("amount"))),
                name="fake_charge_refunded_within_received",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.status}"


class FakeRefund(models.Model):
    """A refund in the fake provider's book, made once per idempotency key."""

    reference = models.CharField(max_length=100, unique=True, verbose_name=_("reference"))
    charge = models.ForeignKey(
        FakeCharge, on_delete=models.CASCADE, related_name="refunds", verbose_name=_("charge")
    )
    idempotency_key = models.CharField(
        max_length=100, unique=True, verbose_name=_("idempotency key")
    )
    refund_id = models.BigIntegerField(
        null=True,
        blank=True,
        help_text=_("The shop's refund it was asked for, as metadata."),
        verbose_name=_("refund ID"),
    )
    amount = money_field(verbose_name=_("amount"))
    status = models.CharField(
        max_length=16,
        choices=RefundStatus.choices,
        default=RefundStatus.PENDING,
        verbose_name=_("status"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("fake refund")
        verbose_name_plural = _("fake refunds")

    def __str__(self) -> str:
        return f"{self.reference} {self.status}"


# The providers' daily bills, in a module of their own; imported here so Django finds them.
from shop.payments.bill_models import (  # noqa: E402
    BillLine as BillLine,
)
from shop.payments.bill_models import (  # noqa: E402
    BillLineKind as BillLineKind,
)
from shop.payments.bill_models import (  # noqa: E402
    BillMismatch as BillMismatch,
)
from shop.payments.bill_models import (  # noqa: E402
    BillMismatchKind as BillMismatchKind,
)
from shop.payments.bill_models import (  # noqa: E402
    BillStatement as BillStatement,
)
