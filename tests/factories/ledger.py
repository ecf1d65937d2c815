"""Agreements with their terms, and orders paid, refunded or shipped through the ledger
hooks the selling code calls; and the ledger and report rows they leave, as tests read
them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from partners.agreements import (
    PartyInput,
    agreement_create,
    agreement_version_create,
    order_lines_agreements_attach,
)
from partners.ledger.hooks import (
    ledger_payment_record,
    ledger_refund_record,
    ledger_shipment_fee_record,
)
from partners.models import Agreement, AgreementVersion, DailySales, LedgerEntry
from partners.reports.rollups import report_rows_current
from shop.orders.models import Order, OrderEvent, OrderLine, OrderStatus
from shop.orders.numbers import order_number_new
from shop.payments.models import Payment, PaymentStatus, Refund, RefundStatus
from tests import factories
from tests.factories import OrderFactory

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def daily_rows():
    """The partners' daily report rows as reports read them: with every event so far."""
    report_rows_current()
    return DailySales.objects


def entries_of(order) -> list[tuple]:
    """The order's ledger entries in the order written: (partner code, kind, role, amount)."""
    return [
        (e.partner.code, e.kind, e.role, e.amount)
        for e in LedgerEntry.objects.filter(order=order).select_related("partner").order_by("id")
    ]


def agreement_with_terms(
    *,
    collection=None,
    product=None,
    parties,
    valid_from: dt.date = dt.date(2020, 1, 1),
    **terms,
) -> tuple[Agreement, AgreementVersion]:
    """An agreement and its first version; ``parties`` is [(partner, role, share_bp)]."""
    agreement = agreement_create(
        code=f"agr-{(collection or product).slug}",
        name_zh="合作协议",
        name_en="Cooperation agreement",
        collection=collection,
        product=product,
    )
    version = agreement_version_create(
        agreement=agreement,
        valid_from=valid_from,
        parties=[PartyInput(partner, role, share) for partner, role, share in parties],
        **terms,
    )
    return agreement, version


def paid_order(
    *,
    channel,
    items,
    discount: Decimal = Decimal("0.00"),
    shipping: Decimal = Decimal("0.00"),
    fee: Decimal = Decimal("0.00"),
    paid_at: dt.datetime | None = None,
) -> tuple[Order, Payment]:
    """An order of ``items`` [(variant, quantity)] paid in full, recorded in the ledger."""
    paid_at = paid_at or timezone.now()
    subtotal = sum((v.price * q for v, q in items), Decimal("0.00"))
    total = subtotal + shipping - discount
    order = OrderFactory(
        channel=channel,
        subtotal=subtotal,
        shipping_price=shipping,
        discount=discount,
        total=total,
        status=OrderStatus.PAID,
        paid_at=paid_at,
        amount_paid=total,
        expires_at=None,
    )
    number = order_number_new(order_id=order.pk, day=timezone.localdate(paid_at))
    Order.objects.filter(pk=order.pk).update(number=number, created_at=paid_at)
    order.refresh_from_db()
    for variant, quantity in items:
        OrderLine.objects.create(
            order=order,
            variant=variant,
            product=variant.product,
            channel=channel,
            product_name=variant.product.name_zh,
            variant_name=variant.name_zh,
            sku=variant.sku,
            quantity=quantity,
            unit_price=variant.price,
            line_total=variant.price * quantity,
        )
    order_lines_agreements_attach(order=order)
    payment = Payment.objects.create(
        order=order,
        provider="fake",
        provider_reference=f"fake-{order.pk}",
        status=PaymentStatus.SUCCEEDED,
        amount=total,
        fee=fee,
        succeeded_at=paid_at,
        confirmed_status=PaymentStatus.SUCCEEDED,
        confirmed_amount=total,
        confirmed_currency=order.currency,
        confirmed_at=paid_at,
    )
    ledger_payment_record(payment=payment)
    return order, payment


def refund_of(
    order: Order,
    payment: Payment,
    amount: Decimal,
    *,
    lines: list[dict] | None = None,
    at: dt.datetime | None = None,
    shipping: bool = False,
    fee_returned: Decimal = Decimal("0.00"),
) -> Refund:
    """A succeeded refund recorded in the ledger, with the payment fee it gave back."""
    refund = Refund.objects.create(
        shipping=shipping,
        fee_returned=fee_returned,
        payment=payment,
        order=order,
        amount=amount,
        status=RefundStatus.SUCCEEDED,
        lines=lines or [],
        succeeded_at=at or timezone.now(),
        confirmed_status=RefundStatus.SUCCEEDED,
        confirmed_at=at or timezone.now(),
    )
    ledger_refund_record(refund=refund)
    return refund


def shipped(order: Order, warehouse, *, at: dt.datetime | None = None, pk: int | None = None):
    """Mark ``order`` shipped (an order event) and record the shipment's logistics fee."""
    at = at or timezone.now()
    event = OrderEvent.objects.create(
        order=order, type="status_changed", from_status="paid", to_status="shipped"
    )
    OrderEvent.objects.filter(pk=event.pk).update(created_at=at)
    shipment = SimpleNamespace(
        pk=pk or order.pk,
        order_id=order.pk,
        order=order,
        warehouse=warehouse,
        warehouse_id=warehouse.pk,
        shipped_at=at,
    )
    ledger_shipment_fee_record(shipment=shipment)
    return shipment


def variant(collection, price: str = "100.00", **kwargs):
    """A variant at ``price`` of a new product in ``collection``."""
    product = factories.ProductFactory(collection=collection, **kwargs)
    return factories.ProductVariantFactory(product=product, price=Decimal(price))
