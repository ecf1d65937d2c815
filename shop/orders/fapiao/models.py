"""A shopper's request for an electronic fapiao (发票) for an order, and the fapiao staff
issued for it. The issued file (a PDF or OFD from the tax bureau's platform, a few
hundred kB) is kept in the database: it is private to the shopper and staff, reaches every
web process with no shared disk, and leaves with the order's other records."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class FapiaoTitleType(models.TextChoices):
    PERSONAL = "personal", _("Personal")
    COMPANY = "company", _("Company")


class FapiaoStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ISSUED = "issued", _("Issued")


class FapiaoRequest(models.Model):
    order = models.OneToOneField(
        "orders.Order", on_delete=models.CASCADE, related_name="fapiao", verbose_name=_("order")
    )
    title_type = models.CharField(
        max_length=10, choices=FapiaoTitleType.choices, verbose_name=_("title type")
    )
    title = models.CharField(max_length=100, verbose_name=_("invoice title"))
    tax_number = models.CharField(max_length=20, blank=True, verbose_name=_("tax number"))
    status = models.CharField(
        max_length=10,
        choices=FapiaoStatus.choices,
        default=FapiaoStatus.REQUESTED,
        verbose_name=_("status"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("requested at"))
    fapiao_number = models.CharField(max_length=40, blank=True, verbose_name=_("fapiao number"))
    issued_at = models.DateTimeField(null=True, blank=True, verbose_name=_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    file_name = models.CharField(max_length=100, blank=True, verbose_name=_("file name"))
    file_type = models.CharField(max_length=100, blank=True, verbose_name=_("file type"))
    file_content = models.BinaryField(blank=True, default=b"", editable=False)

    class Meta:
        verbose_name = _("fapiao request")
        verbose_name_plural = _("fapiao requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(title_type="personal") | ~Q(tax_number=""),
                name="fapiao_company_has_tax_number",
            ),
            models.CheckConstraint(
                condition=Q(status="requested") | Q(issued_at__isnull=False),
                name="fapiao_issued_has_date",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"fapiao for {self.order}: {self.title}"
