"""A partner's monthly settlement, its lines per order and its events."""

from __future__ import annotations

from django.db import models

from partners.models.amounts import amount_field, net_adds_up
from partners.models.partners import Partner
from shop.core.events import Event
from shop.core.models import TimeStampedModel
from shop.orders.numbers import NUMBER_MAX_LENGTH


class SettlementStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class TransferStatus(models.TextChoices):
    NONE = "none", "No transfer"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class Settlement(TimeStampedModel):
    """One partner's statement for one month. Once closed it never changes."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="settlements")
    period = models.DateField(help_text="First day of the month.")
    status = models.CharField(
        max_length=8, choices=SettlementStatus.choices, default=SettlementStatus.OPEN
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # Totals, written when the settlement closes; an open one is summed from the ledger.
    gross = amount_field(help_text="Shares of sales and shipping income.")
    commissions = amount_field(help_text="Commissions earned as a channel owner.")
    refunds = amount_field(help_text="Reversals of refunded sales (negative).")
    logistics_fees = amount_field(help_text="Logistics fees earned (+) or borne (-).")
    payment_fees = amount_field(help_text="Payment fees borne (negative).")
    net = amount_field(help_text="What the partner is owed for the month.")
    transfer_status = models.CharField(
        max_length=8, choices=TransferStatus.choices, default=TransferStatus.NONE
    )
    stripe_transfer_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["partner_id", "-period"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "period"], name="settlement_once_a_month"),
            models.CheckConstraint(
                condition=models.Q(status__in=SettlementStatus.values),
                name="settlement_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status=SettlementStatus.OPEN)
                | models.Q(closed_at__isnull=False),
                name="settlement_closed_has_time",
            ),
            models.CheckConstraint(condition=net_adds_up(), name="settlement_net_adds_up"),
        ]

    def __str__(self) -> str:
        return f"{self.partner.code} {self.period:%Y-%m}"

    @property
    def number(self) -> str:
        return f"ST-{self.partner.code.upper()}-{self.period:%Y%m}"


class SettlementLine(models.Model):
    """What one order brought a partner in a closed settlement."""

    settlement = models.ForeignKey(Settlement, on_delete=models.PROTECT, related_name="lines")
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+")
    order_number = models.CharField(max_length=NUMBER_MAX_LENGTH)
    gross = amount_field()
    commissions = amount_field()
    refunds = amount_field()
    logistics_fees = amount_field()
    payment_fees = amount_field()
    net = amount_field()

    class Meta:
        ordering = ["settlement_id", "order_id"]
        constraints = [
            models.UniqueConstraint(fields=["settlement", "order"], name="settlement_line_once"),
            models.CheckConstraint(condition=net_adds_up(), name="settlement_line_net_adds_up"),
        ]

    def __str__(self) -> str:
        return f"{self.settlement} {self.order_number}"


class SettlementEventType(models.TextChoices):
    OPENED = "opened", "Opened"
    CLOSED = "closed", "Closed"
    TRANSFER_SENT = "transfer_sent", "Transfer sent"
    TRANSFER_FAILED = "transfer_failed", "Transfer failed"


class SettlementEvent(Event):
    subject_field = "settlement"

    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=20, choices=SettlementEventType.choices)
