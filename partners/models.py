"""Partners in the cooperation and the users who act for them."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models

from shop.core.models import TimeStampedModel
from shop.orders.numbers import NUMBER_MAX_LENGTH


class Partner(TimeStampedModel):
    code = models.SlugField(max_length=40, unique=True)
    name_zh = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    legal_name = models.CharField(max_length=255, blank=True)
    timezone = models.CharField(max_length=64, default="Asia/Shanghai")
    contact_email = models.EmailField(blank=True)
    stripe_account_id = models.CharField(max_length=64, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_en or self.name_zh


class PartnerRole(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    MANAGER = "manager", "Manager"


class PartnerMembership(TimeStampedModel):
    """A user belongs to one partner, as a viewer (reports) or a manager."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_membership"
    )
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=PartnerRole.choices, default=PartnerRole.VIEWER)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=PartnerRole.values), name="membership_role_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.partner} ({self.role})"


# --- Revenue-share agreements -------------------------------------------------------------


class PartyRole(models.TextChoices):
    LICENSOR = "licensor", "Licensor"
    DESIGNER = "designer", "Designer"
    PRODUCER = "producer", "Producer"
    MARKETER = "marketer", "Marketer"
    OTHER = "other", "Other"


class FeeBearer(models.TextChoices):
    CHANNEL_OWNER = "channel_owner", "The selling channel's owner"
    PARTIES = "parties", "The parties, in proportion to their shares"


class RefundPolicy(models.TextChoices):
    MIRROR = "mirror", "Every part of the sale is reversed in proportion"
    PARTIES = "parties", "The channel owner keeps its commission; the parties bear the refund"


class Agreement(TimeStampedModel):
    """A revenue-share agreement for one collection or one product (a product's own wins).

    Its terms live in versions: a version in force is never edited, a change is a
    new version valid from a later date.
    """

    code = models.SlugField(max_length=60, unique=True)
    name_zh = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    collection = models.ForeignKey(
        "catalog.Collection",
        on_delete=models.PROTECT,
        related_name="agreements",
        null=True,
        blank=True,
    )
    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.PROTECT,
        related_name="agreements",
        null=True,
        blank=True,
    )
    valid_until = models.DateField(
        null=True, blank=True, help_text="Last day of the agreement; empty while it runs."
    )

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(collection__isnull=False) & models.Q(product__isnull=True))
                | (models.Q(collection__isnull=True) & models.Q(product__isnull=False)),
                name="agreement_covers_collection_or_product",
            ),
            models.UniqueConstraint(
                fields=["collection"],
                condition=models.Q(collection__isnull=False),
                name="agreement_one_per_collection",
            ),
            models.UniqueConstraint(
                fields=["product"],
                condition=models.Q(product__isnull=False),
                name="agreement_one_per_product",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class AgreementVersion(models.Model):
    """The terms of an agreement from ``valid_from`` until the next version starts."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    valid_from = models.DateField()
    logistics_fee = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=0,
        help_text="What the logistics operator earns per shipment, in CNY.",
    )
    logistics_partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text="Who operates logistics; empty means the partner of the shipping warehouse.",
    )
    payment_fee_bearer = models.CharField(
        max_length=16, choices=FeeBearer.choices, default=FeeBearer.PARTIES
    )
    refund_policy = models.CharField(
        max_length=16, choices=RefundPolicy.choices, default=RefundPolicy.MIRROR
    )
    note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agreement_id", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "number"], name="agreement_version_number"
            ),
            models.UniqueConstraint(
                fields=["agreement", "valid_from"], name="agreement_version_valid_from"
            ),
            models.CheckConstraint(
                condition=models.Q(logistics_fee__gte=0), name="agreement_logistics_fee_gte_0"
            ),
            models.CheckConstraint(
                condition=models.Q(payment_fee_bearer__in=FeeBearer.values),
                name="agreement_fee_bearer_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(refund_policy__in=RefundPolicy.values),
                name="agreement_refund_policy_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.code} v{self.number} from {self.valid_from}"


class AgreementParty(models.Model):
    """A partner's role and share of net revenue, in basis points, under one version.

    The shares of a version add up to 10000; :func:`partners.services.agreement_version_create`
    refuses any other total, and a version's parties are written with the version only.
    """

    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="parties")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="agreement_parts")
    role = models.CharField(max_length=16, choices=PartyRole.choices)
    share_bp = models.PositiveIntegerField(help_text="Basis points of net revenue, 10000 = 100%.")

    class Meta:
        ordering = ["version_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(share_bp__gt=0) & models.Q(share_bp__lte=10000),
                name="agreement_party_share_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=PartyRole.values), name="agreement_party_role_valid"
            ),
            models.UniqueConstraint(
                fields=["version", "partner", "role"], name="agreement_party_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} {self.role} {self.share_bp}bp"


# --- Settlements, the ledger and daily sales ----------------------------------------------


def _amount(**kwargs) -> models.DecimalField:
    return models.DecimalField(max_digits=14, decimal_places=2, default=0, **kwargs)


def _net_adds_up() -> models.Q:
    """net = gross + commissions + refunds + fees. Within a tenth of a fen, because SQLite
    (the embedded first run) compares decimals as floats; on PostgreSQL it is exact."""
    parts = (
        models.F("gross")
        + models.F("commissions")
        + models.F("refunds")
        + models.F("logistics_fees")
        + models.F("payment_fees")
    )
    slack = models.Value(Decimal("0.001"))
    return models.Q(net__gte=parts - slack) & models.Q(net__lte=parts + slack)


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
    gross = _amount(help_text="Shares of sales and shipping income.")
    commissions = _amount(help_text="Commissions earned as a channel owner.")
    refunds = _amount(help_text="Reversals of refunded sales (negative).")
    logistics_fees = _amount(help_text="Logistics fees earned (+) or borne (-).")
    payment_fees = _amount(help_text="Payment fees borne (negative).")
    net = _amount(help_text="What the partner is owed for the month.")
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
            models.CheckConstraint(condition=_net_adds_up(), name="settlement_net_adds_up"),
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
    gross = _amount()
    commissions = _amount()
    refunds = _amount()
    logistics_fees = _amount()
    payment_fees = _amount()
    net = _amount()

    class Meta:
        ordering = ["settlement_id", "order_id"]
        constraints = [
            models.UniqueConstraint(fields=["settlement", "order"], name="settlement_line_once"),
            models.CheckConstraint(condition=_net_adds_up(), name="settlement_line_net_adds_up"),
        ]

    def __str__(self) -> str:
        return f"{self.settlement} {self.order_number}"


class SettlementEventType(models.TextChoices):
    OPENED = "opened", "Opened"
    CLOSED = "closed", "Closed"
    TRANSFER_SENT = "transfer_sent", "Transfer sent"
    TRANSFER_FAILED = "transfer_failed", "Transfer failed"


class SettlementEvent(models.Model):
    settlement = models.ForeignKey(Settlement, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=20, choices=SettlementEventType.choices)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.settlement_id} {self.type}"


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


class ReportDelta(models.Model):
    """What one money event adds to a partner's report rows, written with the event and
    added to the rows (DailySales and its two sums) moments later by
    ``partners.rollups.report_rows_catch_up``.

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
    gross = _amount()
    refunds = _amount()
    own_share = _amount()
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
    gross = _amount(help_text="Net revenue of the lines sold (after discounts).")
    refunds = _amount(help_text="Revenue refunded (positive).")
    own_share = _amount(help_text="The partner's own ledger amounts on these lines.")

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
    gross = _amount()
    refunds = _amount()
    own_share = _amount()

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
    gross = _amount()
    refunds = _amount()
    own_share = _amount()

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
