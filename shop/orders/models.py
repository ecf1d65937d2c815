"""Orders: what was sold, at what price, in which channel, and every change of state."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round, Upper
from django.utils.translation import gettext_lazy as _

from shop.core.events import Event
from shop.core.models import TimeStampedModel, currency_field, money_field

# Imported with the orders' models so that Django knows the holds (a checkout table).
from shop.orders.fapiao.models import FapiaoRequest as FapiaoRequest
from shop.orders.holds import Reservation as Reservation
from shop.orders.numbers import NUMBER_MAX_LENGTH


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", _("Pending payment")
    PAID = "paid", _("Paid")
    FULFILLING = "fulfilling", _("Fulfilling")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")
    REFUNDED = "refunded", _("Refunded")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")


class Order(TimeStampedModel):
    number = models.CharField(max_length=NUMBER_MAX_LENGTH, unique=True, null=True, editable=False)
    channel = models.ForeignKey(
        "channels.SalesChannel", on_delete=models.PROTECT, related_name="orders"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
    )
    cart = models.ForeignKey(
        "carts.Cart", on_delete=models.SET_NULL, null=True, blank=True, related_name="orders"
    )
    idempotency_key = models.CharField(max_length=100)
    # SHA-256 of the request that placed the order with that key (shop/orders/idempotency.py).
    idempotency_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    status = models.CharField(
        max_length=20, choices=OrderStatus.choices, default=OrderStatus.PENDING_PAYMENT
    )
    email = models.EmailField()
    phone = models.CharField(max_length=32, blank=True)
    shipping_address = models.JSONField(default=dict)
    shipping_method = models.ForeignKey(
        "checkout.ShippingMethod", on_delete=models.SET_NULL, null=True, blank=True
    )
    shipping_method_name = models.CharField(max_length=100, blank=True)
    voucher_code = models.CharField(max_length=40, blank=True)
    note = models.CharField(max_length=500, blank=True)
    language = models.CharField(max_length=8, default="zh")

    currency = currency_field()
    subtotal = money_field()
    shipping_price = money_field(default=Decimal("0"))
    discount = money_field(default=Decimal("0"))
    total = money_field()
    amount_paid = money_field(default=Decimal("0"))
    amount_refunded = money_field(default=Decimal("0"))

    expires_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "idempotency_key"], name="order_channel_idempotency_key"
            ),
            models.CheckConstraint(
                condition=Q(status__in=OrderStatus.values), name="order_status_valid"
            ),
            models.CheckConstraint(condition=Q(subtotal__gte=0), name="order_subtotal_gte_0"),
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_gte_0"),
            models.CheckConstraint(condition=Q(discount__gte=0), name="order_discount_gte_0"),
            # Rounded to the fen: SQLite (the embedded default) adds decimals as floating
            # point, where 0.10 + 0.20 is not 0.30; PostgreSQL's numeric is exact anyway.
            models.CheckConstraint(
                condition=Q(total=Round(F("subtotal") + F("shipping_price") - F("discount"), 2)),
                name="order_total_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(amount_refunded__lte=F("amount_paid")),
                name="order_refunded_lte_paid",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "expires_at"]),
            models.Index(fields=["user", "-created_at"]),
            models.Index(fields=["email"]),
            # A customer's orders by e-mail in any case (purchase limits, guest look-ups).
            models.Index(Upper("email"), name="order_email_upper"),
            models.Index(fields=["channel", "-created_at"]),
        ]

    def __str__(self) -> str:
        return self.number or f"order {self.pk}"


class OrderLine(models.Model):
    """A line records what was sold: the product, price and channel as they were then."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(
        "catalog.ProductVariant", on_delete=models.PROTECT, related_name="order_lines"
    )
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="order_lines"
    )
    channel = models.ForeignKey(
        "channels.SalesChannel", on_delete=models.PROTECT, related_name="order_lines"
    )
    product_name = models.CharField(max_length=200)
    variant_name = models.CharField(max_length=200, blank=True)
    sku = models.CharField(max_length=64)
    quantity = models.PositiveIntegerField()
    quantity_refunded = models.PositiveIntegerField(default=0)
    currency = currency_field()
    unit_price = money_field()
    line_total = money_field()
    personalisation = models.CharField(max_length=100, blank=True)
    agreement_version = models.ForeignKey(
        "partners.AgreementVersion",
        on_delete=models.PROTECT,
        related_name="order_lines",
        null=True,
        blank=True,
        help_text="The revenue-share terms in force when the line was sold.",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_quantity_gt_0"),
            models.CheckConstraint(
                condition=Q(quantity_refunded__lte=F("quantity")),
                name="order_line_refunded_lte_quantity",
            ),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="order_line_price_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku}"


class OrderEventType(models.TextChoices):
    PLACED = "placed", "Placed"
    STATUS_CHANGED = "status_changed", "Status changed"
    PAYMENT_STARTED = "payment_started", "Payment started"
    PAYMENT_SUCCEEDED = "payment_succeeded", "Payment succeeded"
    PAYMENT_FAILED = "payment_failed", "Payment failed"
    PAYMENT_REVIEW = "payment_review", _("Payment held for review")
    PAYMENT_REVIEWED = "payment_reviewed", _("Payment review resolved")
    REFUND_REQUESTED = "refund_requested", "Refund requested"
    REFUND_PENDING = "refund_pending", _("Refund pending at the provider")
    REFUNDED = "refunded", "Refunded"
    REFUND_FAILED = "refund_failed", "Refund failed"
    RESERVATION_RELEASED = "reservation_released", "Reservation released"
    EXPIRED = "expired", "Expired"
    CANCELLED = "cancelled", "Cancelled"
    NOTE = "note", "Note"
    FULFILLMENT = "fulfillment", "Fulfillment"
    EMAIL_SENT = "email_sent", "E-mail sent"
    FAPIAO_REQUESTED = "fapiao_requested", _("Fapiao requested")
    FAPIAO_ISSUED = "fapiao_issued", _("Fapiao issued")


class OrderEvent(Event):
    subject_field = "order"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=32, choices=OrderEventType.choices)
