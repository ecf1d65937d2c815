"""A partner's monthly settlement, its lines per order and its events."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from partners.models.amounts import amount_field, net_adds_up
from partners.models.partners import Partner
from shop.core.events import Event
from shop.core.models import TimeStampedModel
from shop.orders.numbers import NUMBER_MAX_LENGTH


class SettlementStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class TransferStatus(models.TextChoices):
    NONE = "none", _("No transfer")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Settlement(TimeStampedModel):
    """One partner's statement for one month. Once closed it never changes."""

    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="settlements", verbose_name=_("partner")
    )
    period = models.DateField(help_text=_("First day of the month."), verbose_name=_("period"))
    status = models.CharField(
        max_length=8,
        choices=SettlementStatus.choices,
        default=SettlementStatus.OPEN,
        verbose_name=_("status"),
    )
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("closed at"))
    # Totals, written when the settlement closes; an open one is summed from the ledger.
    gross = amount_field(
        help_text=_("Shares of sales and shipping income."), verbose_name=_("gross")
    )
    commissions = amount_field(
        help_text=_("Commissions earned as a channel owner."), verbose_name=_("commissions")
    )
    refunds = amount_field(
        help_text=_("Reversals of refunded sales (negative)."), verbose_name=_("refunds")
    )
    logistics_fees = amount_field(
        help_text=_("Logistics fees earned (+) or borne (-)."), verbose_name=_("logistics fees")
    )
    payment_fees = amount_field(
        help_text=_("Payment fees borne (negative)."), verbose_name=_("payment fees")
    )
    net = amount_field(
        help_text=_("What the partner is owed for the month."), verbose_name=_("net")
    )
    transfer_status = models.CharField(
        max_length=8,
        choices=TransferStatus.choices,
        default=TransferStatus.NONE,
        verbose_name=_("transfer status"),
    )
    stripe_transfer_id = models.CharField(
        max_length=64, blank=True, verbose_name=_("Stripe transfer ID")
    )

    class Meta:
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
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
        return f"{self.partner} {self.period:%Y-%m}"

    @property
    def number(self) -> str:
        return f"ST-{self.partner.code.upper()}-{self.period:%Y%m}"


class SettlementLine(models.Model):
    """What one order brought a partner in a closed settlement."""

    settlement = models.ForeignKey(
        Settlement, on_delete=models.PROTECT, related_name="lines", verbose_name=_("settlement")
    )
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="+", verbose_name=_("order")
    )
    order_number = models.CharField(max_length=NUMBER_MAX_LENGTH, verbose_name=_("order number"))
    gross = amount_field(verbose_name=_("gross"))
    commissions = amount_field(verbose_name=_("commissions"))
    refunds = amount_field(verbose_name=_("refunds"))
    logistics_fees = amount_field(verbose_name=_("logistics fees"))
    payment_fees = amount_field(verbose_name=_("payment fees"))
    net = amount_field(verbose_name=_("net"))

    class Meta:
        verbose_name = _("settlement line")
        verbose_name_plural = _("settlement lines")
        ordering = ["settlement_id", "order_id"]
        constraints = [
            models.UniqueConstraint(fields=["settlement", "order"], name="settlement_line_once"),
            models.CheckConstraint(condition=net_adds_up(), name="settlement_line_net_adds_up"),
        ]

    def __str__(self) -> str:
        return f"{self.settlement} {self.order_number}"


class SettlementEventType(models.TextChoices):
    OPENED = "opened", _("Opened")
    CLOSED = "closed", _("Closed")
    TRANSFER_SENT = "transfer_sent", _("Transfer sent")
    TRANSFER_FAILED = "transfer_failed", _("Transfer failed")


class SettlementEvent(Event):
    subject_field = "settlement"

    settlement = models.ForeignKey(
        Settlement, on_delete=models.CASCADE, related_name="events", verbose_name=_("settlement")
    )
    type = models.CharField(
        max_length=20, choices=SettlementEventType.choices, verbose_name=_("type")
    )

    class Meta(Event.Meta):
        verbose_name = _("settlement event")
        verbose_name_plural = _("settlement events")
