"""Sales channels: where a sale happens, owned by a partner."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from shop.core.history import ShopHistory
from shop.core.i18n import pick_active
from shop.core.models import TimeStampedModel


class ChannelKind(models.TextChoices):
    WEB_SHOP = "web_shop", _("Web shop")
    ONSITE_SHOP = "onsite_shop", _("On-site shop")
    PARTNER_WEBSITE = "partner_website", _("Partner website")
    PARTNER_APP = "partner_app", _("Partner app")
    SOCIAL = "social", _("Social media")
    LIVESTREAM = "livestream", _("Livestream")


class SalesChannel(TimeStampedModel):
    code = models.SlugField(max_length=40, unique=True, verbose_name=_("code"))
    name_zh = models.CharField(max_length=200, verbose_name=_("name (Chinese)"))
    name_en = models.CharField(max_length=200, verbose_name=_("name (English)"))
    kind = models.CharField(max_length=20, choices=ChannelKind.choices, verbose_name=_("kind"))
    owner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.PROTECT,
        related_name="channels",
        verbose_name=_("owner"),
    )
    commission_rate = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        default=Decimal("0"),
        help_text=_("Share of net revenue the owner earns for selling, 0.1000 = 10%."),
        verbose_name=_("commission rate"),
    )
    is_active = models.BooleanField(default=True, verbose_name=_("active"))
    payment_provider = models.CharField(
        max_length=16,
        blank=True,
        choices=[
            ("fake", _("Offline fake provider")),
            ("stripe", "Stripe"),
            ("wechatpay", _("WeChat Pay")),
            ("alipay", _("Alipay")),
        ],
        verbose_name=_("payment provider"),
        help_text=_(
            "The payment provider this storefront's shoppers pay with (fake, stripe,"
            " wechatpay, alipay); empty: the shop's default (SHOP_PAYMENT_PROVIDER)."
        ),
    )
    is_public = models.BooleanField(
        default=False,
        help_text=_("Storefront may be addressed by channel code alone (the museum's own shop)."),
        verbose_name=_("public"),
    )
    # The storefront key: a short public prefix to find the row, and a SHA-256 of the key.
    api_key_prefix = models.CharField(
        max_length=16, unique=True, null=True, blank=True, verbose_name=_("API key prefix")
    )
    api_key_hash = models.CharField(
        max_length=64, blank=True, editable=False, verbose_name=_("API key hash")
    )

    history = ShopHistory(excluded_fields=["api_key_hash"])

    class Meta:
        verbose_name = _("sales channel")
        verbose_name_plural = _("sales channels")
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
        return pick_active(self, "name") or self.code


class LivestreamDrop(TimeStampedModel):
    """A time-boxed sale in a livestream channel, usually of limited editions.

    A variant in a drop can be bought in the drop's channel only inside the drop's window.
    """

    channel = models.ForeignKey(
        SalesChannel, on_delete=models.PROTECT, related_name="drops", verbose_name=_("channel")
    )
    code = models.SlugField(max_length=60, unique=True, verbose_name=_("code"))
    name_zh = models.CharField(max_length=200, verbose_name=_("name (Chinese)"))
    name_en = models.CharField(max_length=200, verbose_name=_("name (English)"))
    starts_at = models.DateTimeField(verbose_name=_("starts at"))
    ends_at = models.DateTimeField(verbose_name=_("ends at"))
    variants = models.ManyToManyField(
        "catalog.ProductVariant", related_name="drops", blank=True, verbose_name=_("variants")
    )

    class Meta:
        verbose_name = _("livestream drop")
        verbose_name_plural = _("livestream drops")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="drop_window_ordered"
            ),
        ]
        indexes = [models.Index(fields=["channel", "starts_at", "ends_at"])]

    def __str__(self) -> str:
        return pick_active(self, "name") or self.code
