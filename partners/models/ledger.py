"""The ledger: every partner's signed part of every money event."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from partners.models.agreements import AgreementVersion
from partners.models.partners import Partner
from partners.models.settlements import Settlement


class LedgerKind(models.TextChoices):
    SALE_SHARE = "sale_share", _("Share of a sale")
    CHANNEL_COMMISSION = "channel_commission", _("Channel commission")
    SHIPPING_INCOME = "shipping_income", _("Shipping charged to the shopper")
    LOGISTICS_FEE = "logistics_fee", _("Logistics fee")
    PAYMENT_FEE = "payment_fee", _("Payment fee")
    REFUND_REVERSAL = "refund_reversal", _("Refund reversal")


class LedgerEntry(models.Model):
    """One partner's signed part of one money event. Append-only: corrections are new rows.

    ``source`` names the event ("payment:12", "refund:3", "shipment:8") and with
    ``position`` makes the write of an event happen once, whatever the retries.
    """

    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="ledger_entries", verbose_name=_("partner")
    )
    settlement = models.ForeignKey(
        Settlement, on_delete=models.PROTECT, related_name="entries", verbose_name=_("settlement")
    )
    period = models.DateField(
        help_text=_("First day of the settlement month."), verbose_name=_("period")
    )
    kind = models.CharField(max_length=20, choices=LedgerKind.choices, verbose_name=_("kind"))
    reversed_kind = models.CharField(
        max_length=20, choices=LedgerKind.choices, blank=True, verbose_name=_("reversed kind")
    )
    role = models.CharField(
        max_length=16, help_text=_("licensor, designer, channel_owner, ..."), verbose_name=_("role")
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2, verbose_name=_("amount"))
    share_bp = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("share (basis points)")
    )
    commission_rate = models.DecimalField(
        max_digits=5, decimal_places=4, null=True, blank=True, verbose_name=_("commission rate")
    )
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="+", verbose_name=_("order")
    )
    order_line = models.ForeignKey(
        "orders.OrderLine",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("order line"),
    )
    agreement_version = models.ForeignKey(
        AgreementVersion,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("agreement version"),
    )
    channel = models.ForeignKey(
        "channels.SalesChannel",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("channel"),
    )
    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("product"),
    )
    warehouse = models.ForeignKey(
        "catalog.Warehouse",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("warehouse"),
    )
    source = models.CharField(max_length=40, verbose_name=_("source"))
    position = models.PositiveIntegerField(verbose_name=_("position"))
    occurred_at = models.DateTimeField(verbose_name=_("occurred at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "position"], name="ledger_event_once"),
            models.CheckConstraint(
                condition=models.Q(kind__in=LedgerKind.values), name="ledger_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(kind=LedgerKind.REFUND_REVERSAL) ^ models.Q(reversed_kind=""),
                name="ledger_reversal_names_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["partner", "period"]),
            models.Index(fields=["partner", "occurred_at"]),
            models.Index(fields=["order", "partner"]),
            models.Index(fields=["settlement", "order"]),
        ]

    def __str__(self) -> str:
        return _("%(partner)s: %(kind)s %(amount)s") % {
            "partner": self.partner,
            "kind": self.get_kind_display(),
            "amount": self.amount,
        }
