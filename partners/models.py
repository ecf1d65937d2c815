"""Partners in the cooperation and the users who act for them."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from shop.core.models import TimeStampedModel


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
