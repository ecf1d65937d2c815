"""Carts, shipping methods, vouchers, orders and payments, and a builder for an order with
held stock."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from shop.carts.models import Cart, CartLine
from shop.checkout.models import ShippingMethod, Voucher, VoucherKind
from shop.core.hooks import hooks
from shop.orders.allocation import lines_allocate
from shop.orders.lines import order_line_new
from shop.orders.models import Order, OrderStatus
from shop.orders.numbers import order_number_new
from shop.payments.models import Payment, PaymentProvider
from tests.factories.catalog import ProductVariantFactory, stock_with_units
from tests.factories.channels import SalesChannelFactory

# Where the tests' shoppers have their parcels sent: a full address in mainland China.
ADDRESS = {
    "name": "王小明",
    "phone": "13800000000",
    "country": "CN",
    "province": "北京市",
    "city": "北京市",
    "district": "西城区",
    "street": "前海西街17号",
    "postcode": "100009",
}


class CartFactory(DjangoModelFactory):
    class Meta:
        model = Cart

    channel = factory.SubFactory(SalesChannelFactory)


class CartLineFactory(DjangoModelFactory):
    class Meta:
        model = CartLine

    cart = factory.SubFactory(CartFactory)
    variant = factory.SubFactory(ProductVariantFactory)
    quantity = 1


class ShippingMethodFactory(DjangoModelFactory):
    class Meta:
        model = ShippingMethod

    code = factory.Sequence(lambda n: f"ship-{n}")
    name_zh = "标准快递"
    name_en = "Standard express"
    countries = ["CN"]
    price = Decimal("12.00")
    free_above = Decimal("299.00")


class VoucherFactory(DjangoModelFactory):
    class Meta:
        model = Voucher

    code = factory.Sequence(lambda n: f"SAVE{n}")
    kind = VoucherKind.PERCENTAGE
    value = Decimal("10.00")


class OrderFactory(DjangoModelFactory):
    """An order row with no lines; prefer :func:`order_with_stock` for realistic orders."""

    class Meta:
        model = Order

    channel = factory.SubFactory(SalesChannelFactory)
    idempotency_key = factory.Sequence(lambda n: f"key-{n}")
    email = factory.Sequence(lambda n: f"buyer{n}@example.com")
    shipping_address = factory.LazyFunction(lambda: dict(ADDRESS))
    subtotal = Decimal("99.00")
    shipping_price = Decimal("0.00")
    discount = Decimal("0.00")
    total = Decimal("99.00")
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=15))


class PaymentFactory(DjangoModelFactory):
    class Meta:
        model = Payment

    order = factory.SubFactory(OrderFactory)
    provider = PaymentProvider.FAKE
    amount = factory.LazyAttribute(lambda p: p.order.total)


def order_with_stock(
    *,
    channel=None,
    lines: list[tuple[object, int]] | None = None,
    status: str = OrderStatus.PENDING_PAYMENT,
    email: str = "buyer@example.com",
    user=None,
) -> Order:
    """An order whose lines hold real reservations, priced at the variants' list prices.

    ``lines`` is a list of (variant, quantity); the variants need stock already.
    """
    channel = channel or SalesChannelFactory()
    lines = lines or [(stock_with_units().variant, 1)]
    subtotal = sum((variant.price * quantity for variant, quantity in lines), Decimal("0"))
    order = OrderFactory(channel=channel, email=email, user=user, subtotal=subtotal, total=subtotal)
    order.number = order_number_new(order_id=order.pk, day=timezone.localdate())
    order.save(update_fields=["number"])
    # As placing an order does: each line keeps the revenue-share terms in force.
    versions = hooks().agreement_versions_in_force(
        {variant.product_id: variant.product.collection_id for variant, _ in lines},
        timezone.localdate(),
    )
    order_lines = [
        order_line_new(
            order=order,
            variant=variant,
            quantity=quantity,
            unit_price=variant.price,
            language=order.language,
            agreement_version_id=versions.get(variant.product_id),
        )
        for variant, quantity in lines
    ]
    for line in order_lines:
        line.save()
    assert lines_allocate(
        [(line, line.quantity) for line in order_lines],
        channel=channel,
        expires_at=order.expires_at,
    )
    if status != OrderStatus.PENDING_PAYMENT:
        from shop.orders.paid import order_mark_paid

        order_mark_paid(order_id=order.pk, amount=order.total)
        if status != OrderStatus.PAID:
            Order.objects.filter(pk=order.pk).update(status=status)
    order.refresh_from_db()
    return order
