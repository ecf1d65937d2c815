"""Warehouses, the units of each variant stored in them, and every change of those units.

Part of the catalog app (its models are re-exported by :mod:`catalog.models`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shop.core.history import ShopHistory
from shop.core.i18n import pick_active
from shop.core.models import TimeStampedModel


class Warehouse(TimeStampedModel):
    """A stock location operated by one partner."""

    code = models.SlugField(max_length=40, unique=True, verbose_name=_("code"))
    name_zh = models.CharField(max_length=200, verbose_name=_("name (Chinese)"))
    name_en = models.CharField(max_length=200, verbose_name=_("name (English)"))
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.PROTECT,
        related_name="warehouses",
        verbose_name=_("partner"),
    )
    country = models.CharField(max_length=2, default="CN", verbose_name=_("country"))
    province = models.CharField(max_length=64, blank=True, verbose_name=_("province"))
    city = models.CharField(max_length=64, blank=True, verbose_name=_("city"))
    district = models.CharField(max_length=64, blank=True, verbose_name=_("district"))
    street = models.CharField(max_length=255, blank=True, verbose_name=_("street"))
    postcode = models.CharField(max_length=16, blank=True, verbose_name=_("postcode"))
    phone = models.CharField(max_length=32, blank=True, verbose_name=_("phone"))
    email = models.EmailField(blank=True, verbose_name=_("e-mail"))
    is_active = models.BooleanField(default=True, verbose_name=_("active"))

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["code"]

    def __str__(self) -> str:
        return pick_active(self, "name") or self.code


class Stock(models.Model):
    """Units of one variant in one warehouse: on hand, and how many of those are reserved."""

    variant = models.ForeignKey(
        "catalog.ProductVariant",
        on_delete=models.PROTECT,
        related_name="stocks",
        verbose_name=_("variant"),
    )
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="stocks", verbose_name=_("warehouse")
    )
    quantity = models.IntegerField(
        default=0, help_text=_("Units on hand."), verbose_name=_("quantity")
    )
    quantity_reserved = models.IntegerField(
        default=0,
        help_text=_("Units on hand held for checkouts and unshipped orders."),
        verbose_name=_("quantity reserved"),
    )
    low_stock_threshold = models.PositiveIntegerField(
        default=settings.SHOP_LOW_STOCK_DEFAULT, verbose_name=_("low stock threshold")
    )
    # When the row last changed: units on hand or reserved (holds included), or its
    # threshold. Every change stamps it, conditional UPDATEs too (update() skips auto_now).
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    # Threshold changes, with who made them; units are traced by the movements instead
    # (and change by UPDATEs, which write no history).
    history = ShopHistory(excluded_fields=["quantity", "quantity_reserved"])

    class Meta:
        verbose_name = _("stock")
        verbose_name_plural = _("stock")
        ordering = ["variant_id", "warehouse_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["variant", "warehouse"], name="stock_variant_warehouse"
            ),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="stock_quantity_gte_0"),
            models.CheckConstraint(
                condition=Q(quantity_reserved__gte=0), name="stock_reserved_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(quantity_reserved__lte=F("quantity")),
                name="stock_reserved_lte_quantity",
            ),
        ]

    def __str__(self) -> str:
        return _("%(variant)s @ %(warehouse)s: %(on_hand)s on hand, %(reserved)s reserved") % {
            "variant": self.variant,
            "warehouse": self.warehouse,
            "on_hand": self.quantity,
            "reserved": self.quantity_reserved,
        }

    @property
    def quantity_available(self) -> int:
        return self.quantity - self.quantity_reserved


class MovementReason(models.TextChoices):
    RECEIPT = "receipt", _("Receipt of a production batch")
    ADJUSTMENT = "adjustment", _("Adjustment")
    COUNT = "count", _("Stock count")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    SALE = "sale", _("Sale (shipped)")
    RETURN = "return", _("Return")
    WRITE_OFF = "write_off", _("Written off")


class StockMovement(models.Model):
    """One change of units on hand; the rows of a stock add up to its quantity."""

    stock = models.ForeignKey(
        Stock, on_delete=models.PROTECT, related_name="movements", verbose_name=_("stock")
    )
    quantity_delta = models.IntegerField(verbose_name=_("quantity delta"))
    quantity_after = models.IntegerField(verbose_name=_("quantity after"))
    reason = models.CharField(
        max_length=16, choices=MovementReason.choices, verbose_name=_("reason")
    )
    reference = models.CharField(
        max_length=100,
        blank=True,
        help_text=_("Batch, order or transfer."),
        verbose_name=_("reference"),
    )
    note = models.CharField(max_length=500, blank=True, verbose_name=_("note"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stock_movements",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(
        auto_now_add=True, db_index=True, verbose_name=_("created at")
    )

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity_delta=0), name="movement_delta_nonzero"),
            models.CheckConstraint(condition=Q(quantity_after__gte=0), name="movement_after_gte_0"),
            models.CheckConstraint(
                condition=Q(reason__in=MovementReason.values), name="movement_reason_valid"
            ),
        ]
        indexes = [models.Index(fields=["stock", "-created_at"])]

    def __str__(self) -> str:
        return _("%(reason)s %(delta)s: %(variant)s @ %(warehouse)s") % {
            "reason": self.get_reason_display(),
            "delta": f"{self.quantity_delta:+d}".replace("-", "\u2212"),
            "variant": self.stock.variant,
            "warehouse": self.stock.warehouse,
        }
