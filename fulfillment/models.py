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
    SIMULATED = "simulated", "Simulated carrier"
    EXPRESS = "express", "Express carrier (HTTP API)"
    MANUAL = "manual", "Shipped by hand"


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
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="shipments")
    warehouse = models.ForeignKey(
        "catalog.Warehouse", on_delete=models.PROTECT, related_name="shipments"
    )
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.PROTECT,
        related_name="shipments",
        help_text="The partner operating the warehouse, who charges the logistics fee.",
    )
    carrier = models.CharField(max_length=16, choices=CarrierCode.choices)
    status = models.CharField(
        max_length=16, choices=ShipmentStatus.choices, default=ShipmentStatus.PENDING
    )
    waybill_number = models.CharField(max_length=64, blank=True)
    label_pdf = models.BinaryField(blank=True, default=b"", editable=False)
    booking_attempts = models.PositiveIntegerField(default=0)
    booking_error = models.CharField(
        max_length=500, blank=True, help_text="Why the carrier refused; staff ship by hand."
    )
    booked_at = models.DateTimeField(null=True, blank=True)
    packed_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
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
            models.Index(fields=["status", "last_polled_at"]),
        ]

    def __str__(self) -> str:
        return f"shipment {self.pk} of order {self.order_id} from {self.warehouse_id}"


class ShipmentLine(models.Model):
    """Units of one order line leaving with this shipment: exactly one reservation's units."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        "orders.OrderLine", on_delete=models.PROTECT, related_name="shipment_lines"
    )
    reservation = models.OneToOneField(
        "checkout.Reservation", on_delete=models.PROTECT, related_name="shipment_line"
    )
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="shipment_line_quantity_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x line {self.order_line_id}"


class TrackingCode(models.TextChoices):
    BOOKED = "booked", "Waybill created"
    PICKED_UP = "picked_up", "Picked up"
    IN_TRANSIT = "in_transit", "In transit"
    OUT_FOR_DELIVERY = "out_for_delivery", "Out for delivery"
    DELIVERED = "delivered", "Delivered"
    EXCEPTION = "exception", "Problem reported by the carrier"


class TrackingEvent(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="tracking")
    code = models.CharField(max_length=20, choices=TrackingCode.choices)
    occurred_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    description_zh = models.CharField(max_length=300, blank=True)
    description_en = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            # Polling the same carrier history twice stores each event once.
            models.UniqueConstraint(
                fields=["shipment", "code", "occurred_at"], name="tracking_event_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} at {self.occurred_at:%Y-%m-%d %H:%M}"


class ShipmentEventType(models.TextChoices):
    CREATED = "created", "Created"
    BOOKED = "booked", "Booked with the carrier"
    BOOKING_FAILED = "booking_failed", "Booking failed"
    PACKED = "packed", "Packed"
    SHIPPED = "shipped", "Shipped"
    DELIVERED = "delivered", "Delivered"
    CANCELLED = "cancelled", "Cancelled"


class ShipmentEvent(Event):
    subject_field = "shipment"

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=20, choices=ShipmentEventType.choices)
    # As long as Shipment.status.
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)


class ReturnStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested by the shopper")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    RECEIVED = "received", _("Received back")
    REFUNDED = "refunded", _("Refunded")


class ReturnRequest(TimeStampedModel):
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="returns")
    status = models.CharField(
        max_length=16, choices=ReturnStatus.choices, default=ReturnStatus.REQUESTED
    )
    reason = models.CharField(max_length=500, blank=True)
    staff_note = models.CharField(max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    refund = models.OneToOneField(
        "payments.Refund",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="return_request",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ReturnStatus.values), name="return_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"return {self.pk} of order {self.order_id}"


class ReturnCondition(models.TextChoices):
    RESELLABLE = "resellable", "Back in stock"
    DAMAGED = "damaged", "Written off as damaged"


class ReturnLine(models.Model):
    return_request = models.ForeignKey(
        ReturnRequest, on_delete=models.CASCADE, related_name="lines"
    )
    order_line = models.ForeignKey(
        "orders.OrderLine", on_delete=models.PROTECT, related_name="return_lines"
    )
    quantity = models.PositiveIntegerField()
    condition = models.CharField(max_length=16, choices=ReturnCondition.choices, blank=True)
    warehouse = models.ForeignKey(
        "catalog.Warehouse", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    movement = models.ForeignKey(
        "catalog.StockMovement", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="return_line_quantity_gt_0"),
            models.UniqueConstraint(
                fields=["return_request", "order_line"], name="return_line_once_per_request"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x line {self.order_line_id}"


class OrderEmail(models.Model):
    """One e-mail sent about an order; the unique key makes sending idempotent."""

    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="emails")
    kind = models.CharField(max_length=32)
    key = models.CharField(max_length=64, help_text="The kind, plus the refund for refund mails.")
    to = models.EmailField()
    language = models.CharField(max_length=8)
    subject = models.CharField(max_length=200)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sent_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "key"], name="order_email_once"),
        ]

    def __str__(self) -> str:
        return f"{self.key} to {self.to}"


class LowStockAlert(models.Model):
    """A low-stock warning sent for one stock row on one day (at most once a day)."""

    stock = models.ForeignKey("catalog.Stock", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    quantity_available = models.IntegerField()
    recipients = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "id"]
        constraints = [
            models.UniqueConstraint(fields=["stock", "day"], name="low_stock_alert_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"low stock {self.stock_id} on {self.day}"
