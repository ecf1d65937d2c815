"""Shipping methods and vouchers. (The stock an order holds, also a table of this app, is
defined with the orders that hold it: shop/orders/holds.py.)"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper

from shop.core.history import ShopHistory
from shop.core.models import TimeStampedModel, money_field


class ShippingMethod(TimeStampedModel):
    """A flat rate for a region, free above a threshold when one is set."""

    code = models.SlugField(max_length=40, unique=True)
    name_zh = models.CharField(max_length=100)
    name_en = models.CharField(max_length=100)
    countries = models.JSONField(
        default=list, blank=True, help_text='ISO codes, e.g. ["CN"]; empty means everywhere.'
    )
    provinces = models.JSONField(
        default=list, blank=True, help_text="Chinese provinces served; empty means all of them."
    )
    price = money_field()
    free_above = money_field(null=True, blank=True, help_text="Free when subtotal reaches this.")
    is_active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gte=Decimal("0")), name="shipping_price_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class VoucherKind(models.TextChoices):
    PERCENTAGE = "percentage", "Percentage off the subtotal"
    FIXED = "fixed", "Fixed amount off the subtotal"


class Voucher(TimeStampedModel):
    code = models.CharField(max_length=40, unique=True)
    kind = models.CharField(max_length=16, choices=VoucherKind.choices)
    value = models.DecimalField(
        max_digits=12, decimal_places=2, help_text="Percent (e.g. 10.00) or yuan."
    )
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    min_spend = money_field(default=Decimal("0"))
    usage_limit = models.PositiveIntegerField(null=True, blank=True, help_text="Uses overall.")
    usage_limit_per_customer = models.PositiveIntegerField(null=True, blank=True)
    times_used = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    history = ShopHistory(excluded_fields=["times_used"])

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(Upper("code"), name="voucher_code_ci_unique"),
            models.CheckConstraint(condition=Q(value__gt=0), name="voucher_value_gt_0"),
            models.CheckConstraint(
                condition=~Q(kind="percentage") | Q(value__lte=100),
                name="voucher_percentage_lte_100",
            ),
            models.CheckConstraint(
                condition=Q(usage_limit__isnull=True) | Q(times_used__lte=F("usage_limit")),
                name="voucher_used_within_limit",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class VoucherUse(models.Model):
    """One use of a voucher by one order; released again when the order does not go through."""

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="uses")
    order = models.OneToOneField(
        "orders.Order", on_delete=models.CASCADE, related_name="voucher_use"
    )
    customer_email = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["voucher", "customer_email"])]

    def __str__(self) -> str:
        return f"{self.voucher_id} by order {self.order_id}"
