"""Partners in the cooperation, the users who act for them, and the timezone their
months and days are counted in."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models

from shop.core.history import ShopHistory
from shop.core.models import TimeStampedModel

# The shop's own timezone: a partner's until it names another.
DEFAULT_TIMEZONE = "Asia/Shanghai"


def zone_named(name: str) -> ZoneInfo:
    """The zone of a partner's ``timezone`` column; an empty one is the shop's.

    The one place the rule lives: :attr:`Partner.zone` uses it, and so does code that
    read only the column (the ledger's clock reads many partners' at once).
    """
    return ZoneInfo(name or DEFAULT_TIMEZONE)


class Partner(TimeStampedModel):
    code = models.SlugField(max_length=40, unique=True)
    name_zh = models.CharField(max_length=200)
    name_en = models.CharField(max_length=200)
    legal_name = models.CharField(max_length=255, blank=True)
    timezone = models.CharField(max_length=64, default=DEFAULT_TIMEZONE)
    contact_email = models.EmailField(blank=True)
    stripe_account_id = models.CharField(max_length=64, blank=True)
    is_active = models.BooleanField(default=True)

    history = ShopHistory()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_en or self.name_zh

    @property
    def zone(self) -> ZoneInfo:
        """The timezone the partner's days and months are counted in."""
        return zone_named(self.timezone)


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

    history = ShopHistory()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=PartnerRole.values), name="membership_role_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.partner} ({self.role})"
