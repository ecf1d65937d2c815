"""Rules the stored data must always keep, checked over the whole database.

The services keep these rules one change at a time; this module checks them all at
once, after a fault (a dropped connection, Redis down, a webhook storm) or on demand
with ``manage.py check_invariants``. Each broken rule is one :class:`Violation`;
an empty list means the books are consistent:

- stock on hand equals the sum of its movements, for every stock row;
- no stock is negative, and reserved units never exceed units on hand;
- reserved units equal the held (active and confirmed) reservations of the row;
- no order without lines; no held reservation of an expired or cancelled order;
- every paid order has exactly one succeeded payment, for what the order was paid,
  and its refunds add up to what the order says was refunded;
- what the shop counts is what the provider last confirmed: a paid order's payment was
  confirmed succeeded for the amount and currency the order was paid; a succeeded
  refund was confirmed succeeded (a failed one not); no refund stays pending longer
  than SHOP_REFUND_PENDING_ALERT_HOURS; no payment waits in review (staff must settle
  it);
- the ledger of each order adds up to what was captured, less the refunds and the
  payment fees, plus the fees refunds gave back (logistics fees add up to zero);
  an order that never counted a payment has nothing in the ledger;
- the reports' daily totals and monthly product rows equal the daily rows summed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from catalog.models import Stock, StockMovement
from partners.models import DailySales, DailyTotals, LedgerEntry, MonthlyProductSales
from partners.reports.rollups import report_rows_current
from shop.core.money import MoneySum
from shop.orders.holds import Reservation, ReservationStatus
from shop.orders.models import Order, OrderStatus
from shop.orders.state import PAID_STATUSES
from shop.payments.models import Payment, PaymentStatus, Refund, RefundStatus

HELD = (ReservationStatus.ACTIVE, ReservationStatus.CONFIRMED)
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Violation:
    rule: str
    subject: str  # "stock 12", "order 20250101000003"
    detail: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.subject}: {self.detail}"


def _stock_sum(queryset, field: str) -> Coalesce:  # type: ignore[no-untyped-def]
    """Sum of ``field`` over the rows of ``queryset`` that belong to the outer stock row."""
    total = queryset.order_by().values("stock_id").annotate(total=Sum(field)).values("total")
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


def stock_violations() -> list[Violation]:
    moved = _stock_sum(StockMovement.objects.filter(stock=OuterRef("pk")), "quantity_delta")
    held = _stock_sum(Reservation.objects.filter(stock=OuterRef("pk"), status__in=HELD), "quantity")
    rows = (
        Stock.objects.annotate(moved=moved, held=held)
        .filter(
            Q(quantity__lt=0)
            | Q(quantity_reserved__lt=0)
            | Q(quantity_reserved__gt=F("quantity"))
            | ~Q(quantity=F("moved"))
            | ~Q(quantity_reserved=F("held"))
        )
        .order_by("pk")
        .values("pk", "quantity", "quantity_reserved", "moved", "held")
    )
    found = []
    for row in rows:
        subject = f"stock {row['pk']}"
        if row["quantity"] < 0 or row["quantity_reserved"] < 0:
            found.append(
                Violation(
                    "stock_negative",
                    subject,
                    f"on hand {row['quantity']}, reserved {row['quantity_reserved']}",
                )
            )
        if row["quantity_reserved"] > row["quantity"]:
            found.append(
                Violation(
                    "stock_reserved_above_on_hand",
                    subject,
                    f"reserved {row['quantity_reserved']} > on hand {row['quantity']}",
                )
            )
        if row["quantity"] != row["moved"]:
            found.append(
                Violation(
                    "stock_movements_mismatch",
                    subject,
                    f"on hand {row['quantity']}, movements add up to {row['moved']}",
                )
            )
        if row["quantity_reserved"] != row["held"]:
            found.append(
                Violation(
                    "stock_reservations_mismatch",
                    subject,
                    f"reserved {row['quantity_reserved']}, held reservations {row['held']}",
                )
            )
    return found


def order_violations() -> list[Violation]:
    found = [
        Violation("order_without_lines", f"order {number or pk}", "has no lines")
        for pk, number in Order.objects.filter(lines__isnull=True)
        .order_by("pk")
        .values_list("pk", "number")
    ]
    stale = (
        Reservation.objects.filter(
            status__in=HELD,
            order_line__order__status__in=(OrderStatus.EXPIRED, OrderStatus.CANCELLED),
        )
        .order_by("pk")
        .values_list("pk", "status", "order_line__order__number", "order_line__order__status")
    )
    found += [
        Violation(
            "reservation_of_closed_order",
            f"order {number}",
            f"reservation {pk} is {status} but the order is {order_status}",
        )
        for pk, status, number, order_status in stale
    ]
    return found


def payment_violations() -> list[Violation]:
    """Paid orders and their payments, refunds and ledger."""
    paid_orders = _paid_orders()
    succeeded = _succeeded_payments_by_order()
    refunded = _refund_sums()
    ledger = {
        row["order_id"]: row["total"]
        for row in LedgerEntry.objects.values("order_id").annotate(total=MoneySum("amount"))
    }
    found: list[Violation] = []
    for order_id, order in sorted(paid_orders.items()):
        found += _paid_order_violations(
            order_id, order, succeeded.get(order_id, []), refunded, ledger
        )
    counted = {pk for pk, order in paid_orders.items() if order["amount_paid"] > 0}
    for order_id, total in sorted(ledger.items()):
        if order_id not in counted and total != ZERO:
            found.append(
                Violation(
                    "ledger_without_payment",
                    f"order id {order_id}",
                    f"ledger adds up to {total} but the order counted no payment",
                )
            )
    return found


def _paid_orders() -> dict[int, dict[str, Any]]:
    """Every order that counted a payment or says it is paid, by id."""
    return {
        row["pk"]: dict(row)
        for row in Order.objects.filter(
            Q(amount_paid__gt=0) | Q(status__in=PAID_STATUSES, total__gt=0)
        ).values("pk", "number", "status", "amount_paid", "amount_refunded")
    }


def _succeeded_payments_by_order() -> dict[int, list[dict[str, Any]]]:
    succeeded: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for paid in Payment.objects.filter(status=PaymentStatus.SUCCEEDED).values(
        "pk", "order_id", "amount", "fee"
    ):
        succeeded[paid["order_id"]].append(dict(paid))
    return succeeded


def _refund_sums() -> dict[int, tuple[Decimal, Decimal]]:
    """What the succeeded refunds of each succeeded payment add up to, and the payment
    fee they gave back (zeros for none)."""
    found: dict[int, tuple[Decimal, Decimal]] = defaultdict(lambda: (ZERO, ZERO))
    for row in (
        Refund.objects.filter(
            status=RefundStatus.SUCCEEDED, payment__status=PaymentStatus.SUCCEEDED
        )
        .values("payment_id")
        .annotate(total=MoneySum("amount"), fee=MoneySum("fee_returned"))
    ):
        found[row["payment_id"]] = (row["total"], row["fee"])
    return found


def _paid_order_violations(
    order_id: int,
    order: dict[str, Any],
    payments: list[dict[str, Any]],
    refunded: dict[int, tuple[Decimal, Decimal]],
    ledger: dict[int, Decimal],
) -> list[Violation]:
    """One paid order against its one succeeded payment, its refunds and its ledger."""
    subject = f"order {order['number'] or order_id}"
    if len(payments) != 1:
        return [
            Violation(
                "paid_order_payments",
                subject,
                f"{order['status']} with {len(payments)} succeeded payments, not one",
            )
        ]
    payment = payments[0]
    refunds_total, fee_returned = refunded[payment["pk"]]
    found = []
    if order["amount_paid"] != payment["amount"]:
        found.append(
            Violation(
                "paid_order_amount",
                subject,
                f"paid {order['amount_paid']}, its payment is {payment['amount']}",
            )
        )
    if order["amount_refunded"] != refunds_total:
        found.append(
            Violation(
                "order_refunds_mismatch",
                subject,
                f"refunded {order['amount_refunded']}, succeeded refunds add up to {refunds_total}",
            )
        )
    if order["amount_paid"] <= 0:
        return found
    expected = order["amount_paid"] - refunds_total - payment["fee"] + fee_returned
    actual = ledger.get(order_id, ZERO)
    if actual != expected:
        found.append(
            Violation(
                "ledger_mismatch",
                subject,
                f"ledger adds up to {actual}, captured less refunds and fees is {expected}",
            )
        )
    return found


def provider_violations() -> list[Violation]:
    """What the shop counts against what the provider last confirmed."""
    return [
        *_payments_unconfirmed(),
        *_payments_in_review(),
        *_refunds_unconfirmed(),
        *_refunds_pending_too_long(),
    ]


def _payments_unconfirmed() -> list[Violation]:
    """Every payment an order counted (paid, shipped, refunded or cancelled since) that the
    provider did not confirm succeeded for the order's amount and currency."""
    paid = (
        Payment.objects.filter(status=PaymentStatus.SUCCEEDED, order__amount_paid__gt=0)
        .exclude(
            confirmed_status=PaymentStatus.SUCCEEDED,
            confirmed_amount=F("order__amount_paid"),
            confirmed_currency=F("order__currency"),
        )
        .order_by("order_id")
        .values_list(
            "order__number",
            "pk",
            "order__amount_paid",
            "order__currency",
            "confirmed_status",
            "confirmed_amount",
            "confirmed_currency",
        )
    )
    return [
        Violation(
            "paid_order_unconfirmed",
            f"order {number}",
            f"paid {amount_paid} {currency}; payment {pk} was confirmed"
            f" {status or 'never'} {amount} {confirmed_currency}".rstrip(),
        )
        for number, pk, amount_paid, currency, status, amount, confirmed_currency in paid
    ]


def _payments_in_review() -> list[Violation]:
    return [
        Violation(
            "payment_in_review",
            f"order {number}",
            f"payment {pk}, confirmed {amount} {currency}, waits for staff to settle it",
        )
        for number, pk, amount, currency in (
            Payment.objects.filter(status=PaymentStatus.REVIEW)
            .order_by("pk")
            .values_list("order__number", "pk", "confirmed_amount", "confirmed_currency")
        )
    ]


def _refunds_unconfirmed() -> list[Violation]:
    """Succeeded refunds the provider did not confirm, and failed ones it says succeeded."""
    unconfirmed = Q(status=RefundStatus.SUCCEEDED) & ~Q(
        confirmed_status=RefundStatus.SUCCEEDED
    ) | Q(status=RefundStatus.FAILED, confirmed_status=RefundStatus.SUCCEEDED)
    return [
        Violation(
            "refund_unconfirmed",
            f"order {number}",
            f"refund {pk} is {status}, the provider last said {confirmed or 'nothing'}",
        )
        for number, pk, status, confirmed in (
            Refund.objects.filter(unconfirmed)
            .order_by("pk")
            .values_list("order__number", "pk", "status", "confirmed_status")
        )
    ]


def _refunds_pending_too_long() -> list[Violation]:
    cutoff = timezone.now() - timedelta(hours=settings.SHOP_REFUND_PENDING_ALERT_HOURS)
    return [
        Violation(
            "refund_pending_too_long",
            f"order {number}",
            f"refund {pk} pending since {created_at:%Y-%m-%d %H:%M}",
        )
        for number, pk, created_at in (
            Refund.objects.filter(status=RefundStatus.PENDING, created_at__lt=cutoff)
            .order_by("pk")
            .values_list("order__number", "pk", "created_at")
        )
    ]


_FIGURES = ("units", "units_refunded", "gross", "refunds", "own_share")
_MONEY = ("gross", "refunds", "own_share")


def _summed(rows: Any, keys: tuple[str, ...]) -> dict[tuple, tuple]:
    return {
        tuple(row[k] for k in keys): tuple(row[f] for f in _FIGURES)
        for row in rows.values(*keys)
        .annotate(**{f: MoneySum(f) if f in _MONEY else Sum(f) for f in _FIGURES})
        .order_by()
    }


def report_rows_violations() -> list[Violation]:
    """The sums the reports read agree with the daily rows they sum, per partner and
    month (a mismatch names the partner and the month)."""
    report_rows_current()
    found: list[Violation] = []
    keys = ("partner_id", "day__year", "day__month")
    daily = _summed(DailySales.objects, keys)
    for name, rows, month_keys in (
        ("daily_totals_mismatch", DailyTotals.objects, keys),
        (
            "monthly_product_sales_mismatch",
            MonthlyProductSales.objects,
            ("partner_id", "month__year", "month__month"),
        ),
    ):
        summed = _summed(rows, month_keys)
        for key in sorted(set(daily) | set(summed)):
            if daily.get(key) != summed.get(key):
                partner_id, year, month = key
                found.append(
                    Violation(
                        name,
                        f"partner id {partner_id}, {year}-{month:02d}",
                        f"daily rows sum to {daily.get(key)}, these to {summed.get(key)}",
                    )
                )
    return found


def invariants_check() -> list[Violation]:
    """Every broken rule in the database, in a stable order; empty when all hold."""
    return [
        *stock_violations(),
        *order_violations(),
        *payment_violations(),
        *provider_violations(),
        *report_rows_violations(),
    ]
