"""The report rows: what each money event adds to a partner's daily and monthly sales."""

from __future__ import annotations

from django.db import models

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

    partner_id = models.BigIntegerField()
    day = models.DateField()
    channel_id = models.BigIntegerField()
    product_id = models.BigIntegerField()
    collection_id = models.BigIntegerField(default=0)
    warehouse_id = models.BigIntegerField(default=0)
    units = models.BigIntegerField(default=0)
    units_refunded = models.BigIntegerField(default=0)
    gross = amount_field()
    refunds = amount_field()
    own_share = amount_field()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.partner_id} {self.day} {self.product_id}"


class DailySales(models.Model):
    """Sales that concern one partner, per day in its timezone and per dimension.

    Kept up to date from the ledger's report deltas (``ReportDelta``), so reports read a
    few thousand rows instead of millions of order lines. Zero ids stand for "none".
    """

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    channel_id = models.BigIntegerField()
    product_id = models.BigIntegerField()
    collection_id = models.BigIntegerField(default=0)
    warehouse_id = models.BigIntegerField(default=0)
    units = models.BigIntegerField(default=0)
    units_refunded = models.BigIntegerField(default=0)
    gross = amount_field(help_text="Net revenue of the lines sold (after discounts).")
    refunds = amount_field(help_text="Revenue refunded (positive).")
    own_share = amount_field(help_text="The partner's own ledger amounts on these lines.")

    class Meta:
        verbose_name_plural = "daily sales"
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

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    channel_id = models.BigIntegerField()
    collection_id = models.BigIntegerField(default=0)
    warehouse_id = models.BigIntegerField(default=0)
    units = models.BigIntegerField(default=0)
    units_refunded = models.BigIntegerField(default=0)
    gross = amount_field()
    refunds = amount_field()
    own_share = amount_field()

    class Meta:
        verbose_name_plural = "daily totals"
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

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    product_id = models.BigIntegerField()
    units = models.BigIntegerField(default=0)
    units_refunded = models.BigIntegerField(default=0)
    gross = amount_field()
    refunds = amount_field()
    own_share = amount_field()

    class Meta:
        verbose_name_plural = "monthly product sales"
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
