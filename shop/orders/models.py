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
    number = models.CharField(
        max_length=NUMBER_MAX_LENGTH,
        unique=True,
        null=True,
        editable=False,
        verbose_name=_("number"),
    )
    channel = models.ForeignKey(
        "channels.SalesChannel",
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("channel"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("user"),
    )
    cart = models.ForeignKey(
        "carts.Cart",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("cart"),
    )
    idempotency_key = models.CharField(max_length=100, verbose_name=_("idempotency key"))
    # SHA-256 of the request that placed the order with that key (shop/orders/idempotency.py).
    idempotency_fingerprint = models.CharField(
        max_length=64, blank=True, editable=False, verbose_name=_("idempotency fingerprint")
    )
    status = models.CharField(
        max_length=20,
        choices=OrderStatus.choices,
        default=OrderStatus.PENDING_PAYMENT,
        verbose_name=_("status"),
    )
    email = models.EmailField(verbose_name=_("e-mail"))
    phone = models.CharField(max_length=32, blank=True, verbose_name=_("phone"))
    shipping_address = models.JSONField(default=dict, verbose_name=_("shipping address"))
    shipping_method = models.ForeignKey(
        "checkout.ShippingMethod",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("shipping method"),
    )
    shipping_method_name = models.CharField(
        max_length=100, blank=True, verbose_name=_("shipping method name")
    )
    voucher_code = models.CharField(max_length=40, blank=True, verbose_name=_("voucher code"))
    note = models.CharField(max_length=500, blank=True, verbose_name=_("note"))
    language = models.CharField(max_length=8, default="zh", verbose_name=_("language"))

    currency = currency_field()
    subtotal = money_field(verbose_name=_("subtotal"))
    shipping_price = money_field(default=Decimal("0"), verbose_name=_("shipping price"))
    discount = money_field(default=Decimal("0"), verbose_name=_("discount"))
    total = money_field(verbose_name=_("total"))
    amount_paid = money_field(default=Decimal("0"), verbose_name=_("amount paid"))
    amount_refunded = money_field(default=Decimal("0"), verbose_name=_("amount refunded"))

    expires_at = models.DateTimeField(null=True, blank=True, verbose_name=_("expires at"))
    paid_at = models.DateTimeField(null=True, blank=True, verbose_name=_("paid at"))

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
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
        return self.number or _("order %(id)s") % {"id": self.pk}


class OrderLine(models.Model):
    """A line records what was sold: the product, price and channel as they were then."""

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order")
    )
    variant = models.ForeignKey(
        "catalog.ProductVariant",
        on_delete=models.PROTECT,
        related_name="order_lines",
        verbose_name=_("variant"),
    )
    product = models.ForeignKey(
        "catalog.Product",
        on_delete=models.PROTECT,
        related_name="order_lines",
        verbose_name=_("product"),
    )
    channel = models.ForeignKey(
        "channels.SalesChannel",
        on_delete=models.PROTECT,
        related_name="order_lines",
        verbose_name=_("channel"),
    )
    product_name = models.CharField(max_length=200, verbose_name=_("product name"))
    variant_name = models.CharField(max_length=200, blank=True, verbose_name=_("variant name"))
    sku = models.CharField(max_length=64, verbose_name=_("SKU"))
    quantity = models.PositiveIntegerField(verbose_name=_("quantity"))
    quantity_refunded = models.PositiveIntegerField(default=0, verbose_name=_("quantity refunded"))
    currency = currency_field()
    unit_price = money_field(verbose_name=_("unit price"))
    line_total = money_field(verbose_name=_("line total"))
    personalisation = models.CharField(
        max_length=100, blank=True, verbose_name=_("personalisation")
    )
    agreement_version = models.ForeignKey(
        "partners.AgreementVersion",
        on_delete=models.PROTECT,
        related_name="order_lines",
        null=True,
        blank=True,
        help_text=_("The revenue-share terms in force when the line was sold."),
        verbose_name=_("agreement version"),
    )
    created_at = models.DateTimeField(
        auto_now_add=True, db_index=True, verbose_name=_("created at")
    )

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
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
        return f"{self.quantity} × {self.product_name} ({self.sku})"


class OrderEventType(models.TextChoices):
    PLACED = "placed", _("Placed")
    STATUS_CHANGED = "status_changed", _("Status changed")
    PAYMENT_STARTED = "payment_started", _("Payment started")
    PAYMENT_SUCCEEDED = "payment_succeeded", _("Payment succeeded")
    PAYMENT_FAILED = "payment_failed", _("Payment failed")
    PAYMENT_REVIEW = "payment_review", _("Payment held for review")
    PAYMENT_REVIEWED = "payment_reviewed", _("Payment review resolved")
    REFUND_REQUESTED = "refund_requested", _("Refund requested")
    REFUND_PENDING = "refund_pending", _("Refund pending at the provider")
    REFUNDED = "refunded", _("Refunded")
    REFUND_FAILED = "refund_failed", _("Refund failed")
    RESERVATION_RELEASED = "reservation_released", _("Reservation released")
    EXPIRED = "expired", _("Expired")
    CANCELLED = "cancelled", _("Cancelled")
    NOTE = "note", _("Note")
    FULFILLMENT = "fulfillment", _("Fulfillment")
    EMAIL_SENT = "email_sent", _("E-mail sent")
    FAPIAO_REQUESTED = "fapiao_requested", _("Fapiao requested")
    FAPIAO_ISSUED = "fapiao_issued", _("Fapiao issued")


class OrderEvent(Event):
    subject_field = "order"

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="events", verbose_name=_("order")
    )
    type = models.CharField(max_length=32, choices=OrderEventType.choices, verbose_name=_("type"))

    class Meta(Event.Meta):
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
