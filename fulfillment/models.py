"""Shipments, their lines and tracking, returns, and the e-mails sent about an order.

A shipment is the part of an order that one warehouse ships through one carrier; it
is operated by the partner that runs the warehouse. Every change of a shipment's
status writes a :class:`ShipmentEvent` in the same transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shop.core.events import Event
from shop.core.models import TimeStampedModel


class CarrierCode(models.TextChoices):
    SIMULATED = "simulated", _("Simulated carrier")
    EXPRESS = "express", _("Express carrier (HTTP API)")
    MANUAL = "manual", _("Shipped by hand")


class ShipmentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a waybill")
    BOOKED = "booked", _("Waybill booked")
    PACKED = "packed", _("Packed")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


# Statuses in which units have not left the warehouse yet.
OPEN_STATUSES = (ShipmentStatus.PENDING, ShipmentStatus.BOOKED, ShipmentStatus.PACKED)
# Statuses in which the carrier still has something to tell us.
TRACKED_STATUSES = (ShipmentStatus.BOOKED, ShipmentStatus.PACKED, ShipmentStatus.SHIPPED)


class Shipment(TimeStampedModel):
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="shipments", verbose_name=_("order")
    )
    warehouse = models.ForeignKey(
        "catalog.Warehouse",
        on_delete=models.PROTECT,
        related_name="shipments",
        verbose_name=_("warehouse"),
    )
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.PROTECT,
        related_name="shipments",
        help_text=_("The partner operating the warehouse, who charges the logistics fee."),
        verbose_name=_("partner"),
    )
    carrier = models.CharField(
        max_length=16, choices=CarrierCode.choices, verbose_name=_("carrier")
    )
    status = models.CharField(
        max_length=16,
        choices=ShipmentStatus.choices,
        default=ShipmentStatus.PENDING,
        verbose_name=_("status"),
    )
    waybill_number = models.CharField(max_length=64, blank=True, verbose_name=_("waybill number"))
    label_pdf = models.BinaryField(
        blank=True, default=b"", editable=False, verbose_name=_("label PDF")
    )
    booking_attempts = models.PositiveIntegerField(default=0, verbose_name=_("booking attempts"))
    booking_error = models.CharField(
        max_length=500,
        blank=True,
        help_text=_("Why the carrier refused; staff ship by hand."),
        verbose_name=_("booking error"),
    )
    booked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("booked at"))
    packed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("packed at"))
    shipped_at = models.DateTimeField(null=True, blank=True, verbose_name=_("shipped at"))
    delivered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("delivered at"))
    last_polled_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last polled at"))
    # When the periodic poll asks the carrier again (fulfillment/services/tracking.py):
    # soon after news, later and later while there is none. Empty: at its next turn.
    next_poll_at = models.DateTimeField(null=True, blank=True, verbose_name=_("next poll at"))

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["id"]
        constraints = [
            # One shipment per warehouse per order: two fulfilment runs cannot both create it.
            models.UniqueConstraint(fields=["order", "warehouse"], name="shipment_order_warehouse"),
            models.UniqueConstraint(
                fields=["carrier", "waybill_number"],
                condition=~Q(waybill_number=""),
                name="shipment_waybill_unique",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ShipmentStatus.values), name="shipment_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["booked", "shipped", "delivered"]) | ~Q(waybill_number=""),
                name="shipment_waybill_once_booked",
            ),
        ]
        indexes = [
            models.Index(fields=["warehouse", "status"]),
            models.Index(fields=["status", "next_poll_at"]),
        ]

    def __str__(self) -> str:
        return _("Shipment %(id)s of order %(order)s from %(warehouse)s") % {
            "id": self.pk,
            "order": self.order,
            "warehouse": self.warehouse,
        }


class ShipmentLine(models.Model):
    """Units of one order line leaving with this shipment: exactly one reservation's units."""

    shipment = models.ForeignKey(
        Shipment, on_delete=models.CASCADE, related_name="lines", verbose_name=_("shipment")
    )
    order_line = models.ForeignKey(
        "orders.OrderLine",
        on_delete=models.PROTECT,
        related_name="shipment_lines",
        verbose_name=_("order line"),
    )
    reservation = models.OneToOneField(
        "checkout.Reservation",
        on_delete=models.PROTECT,
        related_name="shipment_line",
        verbose_name=_("reservation"),
    )
    quantity = models.PositiveIntegerField(verbose_name=_("quantity"))

    class Meta:
        verbose_name = _("shipment line")
        verbose_name_plural = _("shipment lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="shipment_line_quantity_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.order_line.product_name} ({self.order_line.sku})"


class TrackingCode(models.TextChoices):
    BOOKED = "booked", _("Waybill created")
    PICKED_UP = "picked_up", _("Picked up")
    IN_TRANSIT = "in_transit", _("In transit")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    DELIVERED = "delivered", _("Delivered")
    EXCEPTION = "exception", _("Problem reported by the carrier")


class TrackingEvent(models.Model):
    shipment = models.ForeignKey(
        Shipment, on_delete=models.CASCADE, related_name="tracking", verbose_name=_("shipment")
    )
    code = models.CharField(max_length=20, choices=TrackingCode.choices, verbose_name=_("code"))
    occurred_at = models.DateTimeField(verbose_name=_("occurred at"))
    location = models.CharField(max_length=200, blank=True, verbose_name=_("location"))
    description_zh = models.CharField(
        max_length=300, blank=True, verbose_name=_("description (Chinese)")
    )
    description_en = models.CharField(
        max_length=300, blank=True, verbose_name=_("description (English)")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
        ordering = ["occurred_at", "id"]
        constraints = [
            # Polling the same carrier history twice stores each event once.
            models.UniqueConstraint(
                fields=["shipment", "code", "occurred_at"], name="tracking_event_once"
            ),
        ]

    def __str__(self) -> str:
        return _("%(code)s at %(time)s") % {
            "code": self.get_code_display(),
            "time": f"{self.occurred_at:%Y-%m-%d %H:%M}",
        }


class ShipmentEventType(models.TextChoices):
    CREATED = "created", _("Created")
    BOOKED = "booked", _("Booked with the carrier")
    BOOKING_FAILED = "booking_failed", _("Booking failed")
    PACKED = "packed", _("Packed")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


class ShipmentEvent(Event):
    subject_field = "shipment"

    shipment = models.ForeignKey(
        Shipment, on_delete=models.CASCADE, related_name="events", verbose_name=_("shipment")
    )
    type = models.CharField(
        max_length=20, choices=ShipmentEventType.choices, verbose_name=_("type")
    )
    # As long as Shipment.status.
    from_status = models.CharField(max_length=16, blank=True, verbose_name=_("from status"))
    to_status = models.CharField(max_length=16, blank=True, verbose_name=_("to status"))

    class Meta(Event.Meta):
        verbose_name = _("shipment event")
        verbose_name_plural = _("shipment events")


class ReturnStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested by the shopper")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    RECEIVED = "received", _("Received back")
    REFUNDED = "refunded", _("Refunded")


class ReturnRequest(TimeStampedModel):
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="returns", verbose_name=_("order")
    )
    status = models.CharField(
        max_length=16,
        choices=ReturnStatus.choices,
        default=ReturnStatus.REQUESTED,
        verbose_name=_("status"),
    )
    reason = models.CharField(max_length=500, blank=True, verbose_name=_("reason"))
    staff_note = models.CharField(max_length=500, blank=True, verbose_name=_("staff note"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    received_at = models.DateTimeField(null=True, blank=True, verbose_name=_("received at"))
    refund = models.OneToOneField(
        "payments.Refund",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="return_request",
        verbose_name=_("refund"),
    )

    class Meta:
        verbose_name = _("return request")
        verbose_name_plural = _("return requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ReturnStatus.values), name="return_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return _("Return %(id)s of order %(order)s") % {"id": self.pk, "order": self.order}


class ReturnCondition(models.TextChoices):
    RESELLABLE = "resellable", _("Back in stock")
    DAMAGED = "damaged", _("Written off as damaged")


class ReturnLine(models.Model):
    return_request = models.ForeignKey(
        ReturnRequest,
        on_delete=models.CASCADE,
        related_name="lines",
        verbose_name=_("return request"),
    )
    order_line = models.ForeignKey(
        "orders.OrderLine",
        on_delete=models.PROTECT,
        related_name="return_lines",
        verbose_name=_("order line"),
    )
    quantity = models.PositiveIntegerField(verbose_name=_("quantity"))
    condition = models.CharField(
        max_length=16, choices=ReturnCondition.choices, blank=True, verbose_name=_("condition")
    )
    warehouse = models.ForeignKey(
        "catalog.Warehouse",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("warehouse"),
    )
    movement = models.ForeignKey(
        "catalog.StockMovement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("movement"),
    )

    class Meta:
        verbose_name = _("return line")
        verbose_name_plural = _("return lines")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="return_line_quantity_gt_0"),
            models.UniqueConstraint(
                fields=["return_request", "order_line"], name="return_line_once_per_request"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.order_line.product_name} ({self.order_line.sku})"


class OrderEmailKind(models.TextChoices):
    ORDER_CONFIRMATION = "order_confirmation", _("Order confirmation")
    PAYMENT_RECEIVED = "payment_received", _("Payment received")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    REFUND_ISSUED = "refund_issued", _("Refund issued")
    FAPIAO_ISSUED = "fapiao_issued", _("Fapiao issued")


class OrderEmail(models.Model):
    """One e-mail sent about an order; the unique key makes sending idempotent."""

    order = models.ForeignKey(
        "orders.Order", on_delete=models.CASCADE, related_name="emails", verbose_name=_("order")
    )
    kind = models.CharField(max_length=32, choices=OrderEmailKind.choices, verbose_name=_("kind"))
    key = models.CharField(
        max_length=64,
        help_text=_("The kind, plus the refund for refund mails."),
        verbose_name=_("key"),
    )
    to = models.EmailField(verbose_name=_("recipient"))
    language = models.CharField(max_length=8, verbose_name=_("language"))
    subject = models.CharField(max_length=200, verbose_name=_("subject"))
    sent_at = models.DateTimeField(auto_now_add=True, verbose_name=_("sent at"))

    class Meta:
        verbose_name = _("order email")
        verbose_name_plural = _("order emails")
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "key"], name="order_email_once"),
        ]

    def __str__(self) -> str:
        return _("%(key)s to %(to)s") % {"key": self.get_kind_display(), "to": self.to}


class LowStockAlert(models.Model):
    """A low-stock warning sent for one stock row on one day (at most once a day)."""

    stock = models.ForeignKey(
        "catalog.Stock", on_delete=models.CASCADE, related_name="+", verbose_name=_("stock")
    )
    day = models.DateField(verbose_name=_("day"))
    quantity_available = models.IntegerField(verbose_name=_("quantity available"))
    recipients = models.JSONField(default=list, verbose_name=_("recipients"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("low stock alert")
        verbose_name_plural = _("low stock alerts")
        ordering = ["-day", "id"]
        constraints = [
            models.UniqueConstraint(fields=["stock", "day"], name="low_stock_alert_once_a_day"),
        ]

    def __str__(self) -> str:
        return _("Low stock on %(day)s: %(stock)s") % {"day": self.day, "stock": self.stock}
