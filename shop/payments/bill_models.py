"""The providers' daily bills and where they disagree with the shop: what the daily
reconciliation (shop/payments/reconciliation.py) downloads and matches."""

from __future__ import annotations

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
