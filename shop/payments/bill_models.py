"""The providers' daily bills and where they disagree with the shop: what the daily
reconciliation (shop/payments/reconciliation.py) downloads and matches."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from shop.core.models import money_field
from shop.payments.models import Payment, PaymentProvider, Refund


class BillStatement(models.Model):
    """A provider's bill for one day, downloaded and matched against the shop's payments
    and refunds by the daily reconciliation (shop/payments/reconciliation.py)."""

    provider = models.CharField(
        _("payment provider"), max_length=16, choices=PaymentProvider.choices
    )
    bill_date = models.DateField(_("bill date"))
    rows = models.PositiveIntegerField(_("rows in the bill"), default=0)
    matched = models.PositiveIntegerField(_("matched"), default=0)
    mismatched = models.PositiveIntegerField(_("mismatched"), default=0)
    pending = models.PositiveIntegerField(
        _("waiting for the next day's bill"),
        default=0,
        help_text=_(
            "The shop's payments and refunds of the day missing from this bill while the"
            " next day's bill is not reconciled yet: a payment made just before midnight"
            " may be billed the next day."
        ),
    )
    bill_fees = money_field(
        verbose_name=_("fees in the bill"),
        default=Decimal("0"),
        help_text=_("The bill's fees less the fees it gave back on refunds."),
    )
    shop_fees = money_field(
        verbose_name=_("fees in the shop"),
        default=Decimal("0"),
        help_text=_(
            "The shop's fees of the bill's payments less the fees returned on its refunds."
        ),
    )
    downloaded_at = models.DateTimeField(_("downloaded at"), auto_now=True)

    class Meta:
        verbose_name = _("provider bill")
        verbose_name_plural = _("provider bills")
        ordering = ["-bill_date", "provider"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "bill_date"], name="bill_once_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.bill_date}"


class BillMismatchKind(models.TextChoices):
    NOT_IN_SHOP = "not_in_shop", _("In the bill, not in the shop")
    NOT_IN_BILL = "not_in_bill", _("In the shop, not in the bill")
    AMOUNT = "amount", _("Amount differs")
    FEE = "fee", _("Fee differs")
    TOTAL = "total", _("The bill's totals differ from its rows")


class BillMismatch(models.Model):
    """One line where a provider's bill and the shop disagree, for staff to settle."""

    statement = models.ForeignKey(
        BillStatement,
        on_delete=models.CASCADE,
        related_name="mismatches",
        verbose_name=_("provider bill"),
    )
    kind = models.CharField(_("kind of mismatch"), max_length=16, choices=BillMismatchKind.choices)
    reference = models.CharField(_("merchant reference"), max_length=100)
    payment = models.ForeignKey(
        Payment, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("payment")
    )
    refund = models.ForeignKey(
        Refund, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("refund")
    )
    channel = models.ForeignKey(
        "channels.SalesChannel",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sales channel"),
    )
    shop_amount = money_field(verbose_name=_("shop amount"), null=True, blank=True)
    bill_amount = money_field(verbose_name=_("bill amount"), null=True, blank=True)
    resolved = models.BooleanField(_("resolved"), default=False)
    pending = models.BooleanField(
        _("waiting for the next day's bill"),
        default=False,
        help_text=_(
            "Not in this day's bill, and the next day's bill is not reconciled yet: not a"
            " mismatch until it is, and gone if that bill holds it."
        ),
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("bill mismatch")
        verbose_name_plural = _("bill mismatches")
        ordering = ["-statement__bill_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "kind", "reference"], name="bill_mismatch_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.kind}"


class BillLineKind(models.TextChoices):
    PAYMENT = "payment", _("Payment")
    REFUND = "refund", _("Refund")


class BillLine(models.Model):
    """One row of a provider's bill as the reconciliation read it: kept so that a payment
    or refund billed on a neighbouring day is found there."""

    statement = models.ForeignKey(
        BillStatement,
        on_delete=models.CASCADE,
        related_name="lines",
        verbose_name=_("provider bill"),
    )
    kind = models.CharField(_("kind of row"), max_length=16, choices=BillLineKind.choices)
    reference = models.CharField(_("merchant reference"), max_length=100)
    amount = money_field(verbose_name=_("amount"))
    fee = money_field(
        verbose_name=_("fee"),
        help_text=_("What the provider kept on a payment, or gave back on a refund."),
    )
    occurred_at = models.DateTimeField(
        _("paid or refunded at"),
        null=True,
        blank=True,
        help_text=_("The provider's time of the payment or refund, as its bill gives it."),
    )

    class Meta:
        verbose_name = _("bill row")
        verbose_name_plural = _("bill rows")
        ordering = ["statement", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "kind", "reference"], name="bill_line_once"
            ),
        ]
        indexes = [models.Index(fields=["reference"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference}"
