"""Shipping methods and vouchers. (The stock an order holds, also a table of this app, is
defined with the orders that hold it: shop/orders/holds.py.)"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from shop.core.history import ShopHistory
from shop.core.i18n import pick_active
from shop.core.models import TimeStampedModel, money_field


class ShippingMethod(TimeStampedModel):
    """A flat rate for a region, free above a threshold when one is set."""

    code = models.SlugField(max_length=40, unique=True, verbose_name=_("code"))
    name_zh = models.CharField(max_length=100, verbose_name=_("name (Chinese)"))
    name_en = models.CharField(max_length=100, verbose_name=_("name (English)"))
    countries = models.JSONField(
        default=list,
        blank=True,
        help_text=_('ISO codes, e.g. ["CN"]; empty means everywhere.'),
        verbose_name=_("countries"),
    )
    provinces = models.JSONField(
        default=list,
        blank=True,
        help_text=_("Chinese provinces served; empty means all of them."),
        verbose_name=_("provinces"),
    )
    price = money_field(verbose_name=_("price"))
    free_above = money_field(
        null=True,
        blank=True,
        help_text=_("Free when subtotal reaches this."),
        verbose_name=_("free above"),
    )
    is_active = models.BooleanField(default=True, verbose_name=_("active"))
    position = models.PositiveIntegerField(default=0, verbose_name=_("position"))

    class Meta:
        verbose_name = _("shipping method")
        verbose_name_plural = _("shipping methods")
        ordering = ["position", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gte=Decimal("0")), name="shipping_price_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return pick_active(self, "name") or self.code


class VoucherKind(models.TextChoices):
    PERCENTAGE = "percentage", _("Percentage off the subtotal")
    FIXED = "fixed", _("Fixed amount off the subtotal")


class Voucher(TimeStampedModel):
    code = models.CharField(max_length=40, unique=True, verbose_name=_("code"))
    kind = models.CharField(max_length=16, choices=VoucherKind.choices, verbose_name=_("kind"))
    value = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        help_text=_("Percent (e.g. 10.00) or yuan."),
        verbose_name=_("value"),
    )
    valid_from = models.DateTimeField(null=True, blank=True, verbose_name=_("valid from"))
    valid_until = models.DateTimeField(null=True, blank=True, verbose_name=_("valid until"))
    min_spend = money_field(default=Decimal("0"), verbose_name=_("min spend"))
    usage_limit = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Uses overall."), verbose_name=_("usage limit")
    )
    usage_limit_per_customer = models.PositiveIntegerField(
        null=True, blank=True, verbose_name=_("usage limit per customer")
    )
    times_used = models.PositiveIntegerField(default=0, verbose_name=_("times used"))
    is_active = models.BooleanField(default=True, verbose_name=_("active"))

    history = ShopHistory(excluded_fields=["times_used"])

    class Meta:
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
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

    voucher = models.ForeignKey(
        Voucher, on_delete=models.PROTECT, related_name="uses", verbose_name=_("voucher")
    )
    order = models.OneToOneField(
        "orders.Order",
        on_delete=models.CASCADE,
        related_name="voucher_use",
        verbose_name=_("order"),
    )
    customer_email = models.EmailField(verbose_name=_("customer e-mail"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("voucher use")
        verbose_name_plural = _("voucher uses")
        indexes = [models.Index(fields=["voucher", "customer_email"])]

    def __str__(self) -> str:
        return _("%(voucher)s used by order %(order)s") % {
            "voucher": self.voucher,
            "order": self.order,
        }
