"""Revenue-share agreements: who gets what share of a collection's or a product's sales,
in versions valid from a date."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from partners.models.partners import Partner
from shop.core.history import ShopHistory
from shop.core.models import TimeStampedModel


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

    history = ShopHistory()

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

    history = ShopHistory()

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

    The shares of a version add up to 10000; :func:`partners.agreements.agreement_version_create`
    refuses any other total, and a version's parties are written with the version only.
    """

    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="parties")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="agreement_parts")
    role = models.CharField(max_length=16, choices=PartyRole.choices)
    share_bp = models.PositiveIntegerField(help_text="Basis points of net revenue, 10000 = 100%.")

    history = ShopHistory()

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
