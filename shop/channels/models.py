"""Sales channels: where a sale happens, owned by a partner."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from shop.core.history import ShopHistory
from shop.core.models import TimeStampedModel


class ChannelKind(models.TextChoices):
    WEB_SHOP = "web_shop", "Web shop"
    ONSITE_SHOP = "onsite_shop", "On-site shop"
    PARTNER_WEBSITE = "partner_website", "Partner website"
    PARTNER_APP = "partner_app", "Partner app"
    SOCIAL = "social", "Social media"
    LIVESTREAM = "livestream", "Livestream"


class SalesChannel(TimeStampedModel):
    code = models.SlugField(max_length=40, unique=True)
    name_zh = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=ChannelKind.choices)
    owner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="channels")
    commission_rate = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        default=Decimal("0"),
        help_text="Share of net revenue the owner earns for selling, 0.1000 = 10%.",
    )
    is_active = models.BooleanField(default=True)
    payment_provider = models.CharField(
        max_length=16,
        blank=True,
        choices=[
            ("fake", "Offline fake provider"),
            ("stripe", "Stripe"),
            ("wechatpay", "WeChat Pay"),
            ("alipay", "Alipay"),
        ],
        help_text=(
            "The payment provider this storefront's shoppers pay with (fake, stripe,"
            " wechatpay, alipay); empty: the shop's default (SHOP_PAYMENT_PROVIDER)."
        ),
    )
    is_public = models.BooleanField(
        default=False,
        help_text="Storefront may be addressed by channel code alone (the museum's own shop).",
    )
    # The storefront key: a short public prefix to find the row, and a SHA-256 of the key.
    api_key_prefix = models.CharField(max_length=16, unique=True, null=True, blank=True)
    api_key_hash = models.CharField(max_length=64, blank=True, editable=False)

    history = ShopHistory(excluded_fields=["api_key_hash"])

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(commission_rate__gte=0) & models.Q(commission_rate__lte=1),
                name="channel_commission_between_0_and_1",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=ChannelKind.values), name="channel_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class LivestreamDrop(TimeStampedModel):
    """A time-boxed sale in a livestream channel, usually of limited editions.

    A variant in a drop can be bought in the drop's channel only inside the drop's window.
    """

    channel = models.ForeignKey(SalesChannel, on_delete=models.PROTECT, related_name="drops")
    code = models.SlugField(max_length=60, unique=True)
    name_zh = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    variants = models.ManyToManyField("catalog.ProductVariant", related_name="drops", blank=True)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="drop_window_ordered"
            ),
        ]
        indexes = [models.Index(fields=["channel", "starts_at", "ends_at"])]

    def __str__(self) -> str:
        return self.code
