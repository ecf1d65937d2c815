"""The stock an order holds: units of one stock row held for one order line, from placing
until they ship or are given back."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ReservationStatus(models.TextChoices):
    ACTIVE = "active", _("Held for payment")
    CONFIRMED = "confirmed", _("Paid, held until shipped")
    RELEASED = "released", _("Released")
    SHIPPED = "shipped", _("Shipped")


class Reservation(models.Model):
    """Units of one stock row held for one order line.

    Active reservations expire; once the order is paid they are confirmed and stay
    until the shipment ships (their units then leave on hand) or the order is cancelled.
    """

    order_line = models.ForeignKey(
        "orders.OrderLine",
        on_delete=models.CASCADE,
        related_name="reservations",
        verbose_name=_("order line"),
    )
    stock = models.ForeignKey(
        "catalog.Stock",
        on_delete=models.PROTECT,
        related_name="reservations",
        verbose_name=_("stock"),
    )
    quantity = models.PositiveIntegerField(verbose_name=_("quantity"))
    status = models.CharField(
        max_length=16,
        choices=ReservationStatus.choices,
        default=ReservationStatus.ACTIVE,
        verbose_name=_("status"),
    )
    expires_at = models.DateTimeField(null=True, blank=True, verbose_name=_("expires at"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        # The table has been checkout's since the first release; the class lives with the
        # orders that hold the units, whose services and payments read and release them.
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        app_label = "checkout"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="reservation_quantity_gt_0"),
        ]
        indexes = [
            models.Index(
                fields=["expires_at"],
                name="reservation_active_expiry",
                condition=Q(status="active"),
            )
        ]

    def __str__(self) -> str:
        return _("%(quantity)s reserved of %(stock)s (%(status)s)") % {
            "quantity": self.quantity,
            "stock": self.stock,
            "status": self.get_status_display(),
        }
