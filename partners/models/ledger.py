"""The ledger: every partner's signed part of every money event."""

from __future__ import annotations

from django.db import models

from partners.models.agreements import AgreementVersion
from partners.models.partners import Partner
from partners.models.settlements import Settlement


class LedgerKind(models.TextChoices):
    SALE_SHARE = "sale_share", "Share of a sale"
    CHANNEL_COMMISSION = "channel_commission", "Channel commission"
    SHIPPING_INCOME = "shipping_income", "Shipping charged to the shopper"
    LOGISTICS_FEE = "logistics_fee", "Logistics fee"
    PAYMENT_FEE = "payment_fee", "Payment fee"
    REFUND_REVERSAL = "refund_reversal", "Refund reversal"


class LedgerEntry(models.Model):
    """One partner's signed part of one money event. Append-only: corrections are new rows.

    ``source`` names the event ("payment:12", "refund:3", "shipment:8") and with
    ``position`` makes the write of an event happen once, whatever the retries.
    """

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="ledger_entries")
    settlement = models.ForeignKey(Settlement, on_delete=models.PROTECT, related_name="entries")
    period = models.DateField(help_text="First day of the settlement month.")
    kind = models.CharField(max_length=20, choices=LedgerKind.choices)
    reversed_kind = models.CharField(max_length=20, choices=LedgerKind.choices, blank=True)
    role = models.CharField(max_length=16, help_text="licensor, designer, channel_owner, ...")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    share_bp = models.PositiveIntegerField(null=True, blank=True)
    commission_rate = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+")
    order_line = models.ForeignKey(
        "orders.OrderLine", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    agreement_version = models.ForeignKey(
        AgreementVersion, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    channel = models.ForeignKey("channels.SalesChannel", on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    warehouse = models.ForeignKey(
        "catalog.Warehouse", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    source = models.CharField(max_length=40)
    position = models.PositiveIntegerField()
    occurred_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name_plural = "ledger entries"
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
        return f"{self.partner_id} {self.kind} {self.amount}"
