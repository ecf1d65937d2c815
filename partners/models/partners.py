"""Partners in the cooperation, the users who act for them, and the timezone their
months and days are counted in."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shop.core.history import ShopHistory
from shop.core.i18n import pick_active
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
    code = models.SlugField(max_length=40, unique=True, verbose_name=_("code"))
    name_zh = models.CharField(max_length=200, verbose_name=_("name (Chinese)"))
    name_en = models.CharField(max_length=200, verbose_name=_("name (English)"))
    legal_name = models.CharField(max_length=255, blank=True, verbose_name=_("legal name"))
    timezone = models.CharField(max_length=64, default=DEFAULT_TIMEZONE, verbose_name=_("timezone"))
    contact_email = models.EmailField(blank=True, verbose_name=_("contact e-mail"))
    stripe_account_id = models.CharField(
        max_length=64, blank=True, verbose_name=_("Stripe account ID")
    )
    is_active = models.BooleanField(default=True, verbose_name=_("active"))

    history = ShopHistory()

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["code"]

    def __str__(self) -> str:
        return pick_active(self, "name")

    @property
    def zone(self) -> ZoneInfo:
        """The timezone the partner's days and months are counted in."""
        return zone_named(self.timezone)


class PartnerRole(models.TextChoices):
    VIEWER = "viewer", _("Viewer")
    MANAGER = "manager", _("Manager")


class PartnerMembership(TimeStampedModel):
    """A user belongs to one partner, as a viewer (reports) or a manager."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="partner_membership",
        verbose_name=_("user"),
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("partner")
    )
    role = models.CharField(
        max_length=16,
        choices=PartnerRole.choices,
        default=PartnerRole.VIEWER,
        verbose_name=_("role"),
    )

    history = ShopHistory()

    class Meta:
        verbose_name = _("partner membership")
        verbose_name_plural = _("partner memberships")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=PartnerRole.values), name="membership_role_valid"
            )
        ]

    def __str__(self) -> str:
        return _("%(user)s at %(partner)s (%(role)s)") % {
            "user": self.user,
            "partner": self.partner,
            "role": self.get_role_display(),
        }
