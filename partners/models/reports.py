"""The report rows: what each money event adds to a partner's daily and monthly sales."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from partners.models.amounts import amount_field
from partners.models.partners import Partner


class ReportDelta(models.Model):
    """What one money event adds to a partner's report rows, written with the event and
    added to the rows (DailySales and its two sums) moments later by
    ``partners.reports.rollups.report_rows_catch_up``.

    Why not add to the rows at once: every sale of a product on a day adds to the same
    few rows, and a transaction that updates them holds them until it commits, so
    concurrent payments waited on one another (and deadlocked with the shipments that
    add logistics fees). Inserting a row of its own waits on nobody. No foreign keys:
    an insert checks none, so it waits on no partner, channel or product row either.
    """

    partner_id = models.BigIntegerField(verbose_name=_("partner ID"))
    day = models.DateField(verbose_name=_("day"))
    channel_id = models.BigIntegerField(verbose_name=_("channel ID"))
    product_id = models.BigIntegerField(verbose_name=_("product ID"))
    collection_id = models.BigIntegerField(default=0, verbose_name=_("collection ID"))
    warehouse_id = models.BigIntegerField(default=0, verbose_name=_("warehouse ID"))
    units = models.BigIntegerField(default=0, verbose_name=_("units"))
    units_refunded = models.BigIntegerField(default=0, verbose_name=_("units refunded"))
    gross = amount_field(verbose_name=_("gross"))
    refunds = amount_field(verbose_name=_("refunds"))
    own_share = amount_field(verbose_name=_("own share"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("report delta")
        verbose_name_plural = _("report deltas")

    def __str__(self) -> str:
        return f"{self.partner_id} {self.day} {self.product_id}"


class DailySales(models.Model):
    """Sales that concern one partner, per day in its timezone and per dimension.

    Kept up to date from the ledger's report deltas (``ReportDelta``), so reports read a
    few thousand rows instead of millions of order lines. Zero ids stand for "none".
    """

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="+", verbose_name=_("partner")
    )
    day = models.DateField(verbose_name=_("day"))
    channel_id = models.BigIntegerField(verbose_name=_("channel ID"))
    product_id = models.BigIntegerField(verbose_name=_("product ID"))
    collection_id = models.BigIntegerField(default=0, verbose_name=_("collection ID"))
    warehouse_id = models.BigIntegerField(default=0, verbose_name=_("warehouse ID"))
    units = models.BigIntegerField(default=0, verbose_name=_("units"))
    units_refunded = models.BigIntegerField(default=0, verbose_name=_("units refunded"))
    gross = amount_field(
        help_text=_("Net revenue of the lines sold (after discounts)."), verbose_name=_("gross")
    )
    refunds = amount_field(help_text=_("Revenue refunded (positive)."), verbose_name=_("refunds"))
    own_share = amount_field(
        help_text=_("The partner's own ledger amounts on these lines."), verbose_name=_("own share")
    )

    class Meta:
        verbose_name = _("daily sales")
        verbose_name_plural = _("daily sales")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "partner",
                    "day",
                    "channel_id",
                    "product_id",
                    "collection_id",
                    "warehouse_id",
                ],
                name="daily_sales_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.day} {self.product_id}"


class DailyTotals(models.Model):
    """The daily sales rows of a partner summed over products: per day, channel,
    collection and warehouse.

    What the summary, the series and the breakdowns by channel, collection and
    warehouse read: a month is a few hundred rows however many orders and products it
    had. Written in the same transaction as the daily rows, so the two always agree.
    """

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="+", verbose_name=_("partner")
    )
    day = models.DateField(verbose_name=_("day"))
    channel_id = models.BigIntegerField(verbose_name=_("channel ID"))
    collection_id = models.BigIntegerField(default=0, verbose_name=_("collection ID"))
    warehouse_id = models.BigIntegerField(default=0, verbose_name=_("warehouse ID"))
    units = models.BigIntegerField(default=0, verbose_name=_("units"))
    units_refunded = models.BigIntegerField(default=0, verbose_name=_("units refunded"))
    gross = amount_field(verbose_name=_("gross"))
    refunds = amount_field(verbose_name=_("refunds"))
    own_share = amount_field(verbose_name=_("own share"))

    class Meta:
        verbose_name = _("daily totals")
        verbose_name_plural = _("daily totals")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "day", "channel_id", "collection_id", "warehouse_id"],
                name="daily_totals_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.day} {self.channel_id}"


class MonthlyProductSales(models.Model):
    """The daily sales rows of a partner summed per product over a month (its first
    day), over every channel and collection: what the top products of whole months are
    read from, in gross order straight off an index."""

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="+", verbose_name=_("partner")
    )
    month = models.DateField(verbose_name=_("month"))
    product_id = models.BigIntegerField(verbose_name=_("product ID"))
    units = models.BigIntegerField(default=0, verbose_name=_("units"))
    units_refunded = models.BigIntegerField(default=0, verbose_name=_("units refunded"))
    gross = amount_field(verbose_name=_("gross"))
    refunds = amount_field(verbose_name=_("refunds"))
    own_share = amount_field(verbose_name=_("own share"))

    class Meta:
        verbose_name = _("monthly product sales")
        verbose_name_plural = _("monthly product sales")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "month", "product_id"], name="monthly_product_sales_key"
            ),
        ]
        indexes = [
            # A month's top products: the first rows of this index, whatever the catalog.
            models.Index(
                fields=["partner", "month", "-gross", "product_id"], name="monthly_product_top"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.month} {self.product_id}"
