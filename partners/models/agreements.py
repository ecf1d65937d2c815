"""Revenue-share agreements: who gets what share of a collection's or a product's sales,
in versions valid from a date."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from partners.models.partners import Partner
from shop.core.history import ShopHistory
from shop.core.models import TimeStampedModel


class PartyRole(models.TextChoices):
    LICENSOR = "licensor", _("Licensor")
    DESIGNER = "designer", _("Designer")
    PRODUCER = "producer", _("Producer")
    MARKETER = "marketer", _("Marketer")
    OTHER = "other", _("Other")


class FeeBearer(models.TextChoices):
    CHANNEL_OWNER = "channel_owner", _("The selling channel's owner")
    PARTIES = "parties", _("The parties, in proportion to their shares")


class RefundPolicy(models.TextChoices):
    MIRROR = "mirror", _("Every part of the sale is reversed in proportion")
    PARTIES = "parties", _("The channel owner keeps its commission; the parties bear the refund")


class Agreement(TimeStampedModel):
    """A revenue-share agreement for one collection or one product (a product's own wins).

    Its terms live in versions: a version in force is never edited, a change is a
    new version valid from a later date.
    """

    code = models.SlugField(max_length=60, unique=True, verbose_name=_("code"))
    name_zh = models.CharField(max_length=200, verbose_name=_("name (Chinese)"))
    name_en = models.CharField(max_length=200, verbose_name=_("name (English)"))
    collection = models.ForeignKey(
        "catalog.Collection",
        on_delete=models.PROTECT,
        related_name="agreements",
        null=True,
        blank=True,
        verbose_name=_("collection"),
    )
    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.PROTECT,
        related_name="agreements",
        null=True,
        blank=True,
        verbose_name=_("product"),
    )
    valid_until = models.DateField(
        null=True,
        blank=True,
        help_text=_("Last day of the agreement; empty while it runs."),
        verbose_name=_("valid until"),
    )

    history = ShopHistory()

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
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

    agreement = models.ForeignKey(
        Agreement, on_delete=models.PROTECT, related_name="versions", verbose_name=_("agreement")
    )
    number = models.PositiveIntegerField(verbose_name=_("number"))
    valid_from = models.DateField(verbose_name=_("valid from"))
    logistics_fee = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=0,
        help_text=_("What the logistics operator earns per shipment, in CNY."),
        verbose_name=_("logistics fee"),
    )
    logistics_partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Who operates logistics; empty means the partner of the shipping warehouse."),
        verbose_name=_("logistics partner"),
    )
    payment_fee_bearer = models.CharField(
        max_length=16,
        choices=FeeBearer.choices,
        default=FeeBearer.PARTIES,
        verbose_name=_("payment fee bearer"),
    )
    refund_policy = models.CharField(
        max_length=16,
        choices=RefundPolicy.choices,
        default=RefundPolicy.MIRROR,
        verbose_name=_("refund policy"),
    )
    note = models.CharField(max_length=500, blank=True, verbose_name=_("note"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    history = ShopHistory()

    class Meta:
        verbose_name = _("agreement version")
        verbose_name_plural = _("agreement versions")
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
        return _("%(agreement)s version %(number)s from %(date)s") % {
            "agreement": self.agreement.code,
            "number": self.number,
            "date": self.valid_from,
        }


class AgreementParty(models.Model):
    """A partner's role and share of net revenue, in basis points, under one version.

    The shares of a version add up to 10000; :func:`partners.agreements.agreement_version_create`
    refuses any other total, and a version's parties are written with the version only.
    """

    version = models.ForeignKey(
        AgreementVersion,
        on_delete=models.PROTECT,
        related_name="parties",
        verbose_name=_("version"),
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="agreement_parts", verbose_name=_("partner")
    )
    role = models.CharField(max_length=16, choices=PartyRole.choices, verbose_name=_("role"))
    share_bp = models.PositiveIntegerField(
        help_text=_("Basis points of net revenue, 10000 = 100%."),
        verbose_name=_("share (basis points)"),
    )

    history = ShopHistory()

    class Meta:
        verbose_name = _("agreement party")
        verbose_name_plural = _("agreement parties")
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
        return _("%(partner)s, %(role)s, %(share)s%%") % {
            "partner": self.partner,
            "role": self.get_role_display(),
            "share": f"{self.share_bp / 100:.2f}",
        }
