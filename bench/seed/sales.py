"""A year of sales in bulk: paid orders and their lines, the ledger entries of their
payments, the daily sales rows and rollups, and the past months' settlements closed."""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from bench.seed.catalog import product_names, unit_price, variant_id, variant_sku
from bench.seed.database import copy_rows, execute, fetch, replica_mode, sequences_reset
from bench.seed.world import ADDRESS, COLLECTIONS, LICENSOR_BP, LINES_PER_ORDER, World


def _popular_product(rng: random.Random, products: int) -> int:
    """Few products sell most: a cubic skew towards the first ones."""
    return min(int(products * rng.random() ** 3), products - 1)


# The columns each bulk COPY writes, in the order of the rows below.
ORDER_COLUMNS = [
    "id",
    "number",
    "channel_id",
    "idempotency_key",
    "idempotency_fingerprint",
    "status",
    "email",
    "phone",
    "voucher_code",
    "note",
    "shipping_address",
    "shipping_method_name",
    "language",
    "currency",
    "subtotal",
    "shipping_price",
    "discount",
    "total",
    "amount_paid",
    "amount_refunded",
    "paid_at",
    "created_at",
    "updated_at",
]
LINE_COLUMNS = [
    "id",
    "order_id",
    "variant_id",
    "product_id",
    "channel_id",
    "product_name",
    "variant_name",
    "sku",
    "quantity",
    "quantity_refunded",
    "currency",
    "unit_price",
    "line_total",
    "personalisation",
    "agreement_version_id",
    "created_at",
]


@dataclass
class _Sales:
    """The orders and lines being added, and the last ids and line count so far."""

    world: World
    rng: random.Random
    order_id: int
    line_id: int
    seeded: int
    orders: list[tuple] = field(default_factory=list)
    lines: list[tuple] = field(default_factory=list)


def _line_add(sales: _Sales, channel: int, paid: dt.datetime) -> Decimal:
    """One line of the current order, of a popular product; answers its total."""
    world = sales.world
    sales.line_id += 1
    sales.seeded += 1
    line_id = sales.line_id
    index = _popular_product(sales.rng, world.products)
    position = line_id % 2
    quantity = 1 + (line_id % 7 == 0)
    price = unit_price(index, position)
    total = price * quantity
    zh, _ = product_names(index)
    version = world.version_ids[world.collection_ids[index % COLLECTIONS]]
    sales.lines.append(
        (
            *(line_id, sales.order_id, variant_id(index, position), index + 1, channel, zh),
            *(["小号", "大号"][position], variant_sku(index, position), quantity, 0, "CNY"),
            *(price, total, "", version, paid),
        )
    )
    return total


def _order_add(sales: _Sales, to_lines: int, now: dt.datetime) -> None:
    """One paid order of one to three lines, placed some time in the last year."""
    world = sales.world
    sales.order_id += 1
    order_id = sales.order_id
    created = now - dt.timedelta(days=365) * sales.rng.random()
    paid = created + dt.timedelta(minutes=2)
    channel = ([world.web_channel_id] * 3 + [world.app_channel_id] * 2)[order_id % 5]
    subtotal = Decimal("0.00")
    for _ in range(min(sales.rng.choice(LINES_PER_ORDER), to_lines - sales.seeded)):
        subtotal += _line_add(sales, channel, paid)
    zero = Decimal("0.00")
    sales.orders.append(
        (
            *(order_id, f"B{order_id:010d}", channel, f"seed-{order_id}", "", "completed"),
            *(f"shopper{order_id % 50000}@example.com", ADDRESS["phone"], "", ""),
            *(json.dumps(ADDRESS), "标准快递", "zh", "CNY"),
            *(subtotal, zero, zero, subtotal, subtotal, zero, paid, created, paid),
        )
    )


def _sales_derived_write(world: World, first_order: int, last_order: int, now: dt.datetime) -> None:
    """What the payments of the new orders leave behind: ledger entries, daily sales
    rows and rollups, and the past months' settlements closed again."""
    _settlements_ensure(world, now)
    _ledger_insert(world, first_order, last_order)
    _daily_sales_insert(first_order, last_order)
    _daily_rollups_rebuild()
    _settlements_close(now)


def sales_grow(world: World, *, to_lines: int, now: dt.datetime) -> int:
    """Add paid orders until there are ``to_lines`` order lines, with their ledger entries
    and daily sales rows; then re-close the past months' settlements."""
    if to_lines <= world.lines:
        return 0
    replica_mode()
    # Orders placed by the scenarios meanwhile took ids from the sequences: go past them.
    ((order_id, line_id),) = fetch(
        "SELECT (SELECT coalesce(max(id), 0) FROM orders_order), "
        "(SELECT coalesce(max(id), 0) FROM orders_orderline)"
    )
    sales = _Sales(
        world=world,
        rng=random.Random(world.lines + 1),
        order_id=order_id,
        line_id=line_id,
        seeded=world.lines,
    )
    while sales.seeded < to_lines:
        _order_add(sales, to_lines, now)
    copy_rows("orders_order", ORDER_COLUMNS, sales.orders)
    copy_rows("orders_orderline", LINE_COLUMNS, sales.lines)
    sequences_reset(["orders_order", "orders_orderline"])
    _sales_derived_write(world, order_id + 1, sales.order_id, now)
    replica_mode(False)
    execute("ANALYZE orders_order; ANALYZE orders_orderline")
    execute("ANALYZE partners_ledgerentry; ANALYZE partners_dailysales")
    execute("ANALYZE partners_dailytotals; ANALYZE partners_monthlyproductsales")
    world.orders, world.lines = sales.order_id, sales.seeded
    return len(sales.lines)


def _settlements_ensure(world: World, now: dt.datetime) -> None:
    execute(
        """
        INSERT INTO partners_settlement (partner_id, period, status, gross, commissions,
            refunds, logistics_fees, payment_fees, net, transfer_status, stripe_transfer_id,
            created_at, updated_at)
        SELECT p.id, m::date, 'open', 0, 0, 0, 0, 0, 0, 'none', '', %(now)s, %(now)s
        FROM partners_partner p,
             generate_series(date_trunc('month', (%(now)s::timestamptz AT TIME ZONE
                 'Asia/Shanghai') - interval '366 days'),
                 date_trunc('month', %(now)s::timestamptz AT TIME ZONE 'Asia/Shanghai'),
                 interval '1 month') m
        ON CONFLICT (partner_id, period) DO NOTHING
        """,
        {"now": now},
    )


def _ledger_insert(world: World, first_order: int, last_order: int) -> None:
    """The payment's split of each line: the channel owner's commission, then the
    licensor's 60% (rounded down to the fen) and the designer the rest."""
    execute(
        """
        WITH line AS (
            SELECT l.id, l.order_id, l.product_id, l.channel_id, l.agreement_version_id,
                   l.line_total, o.paid_at, c.owner_id, c.commission_rate,
                   round(l.line_total * c.commission_rate, 2) AS commission,
                   row_number() OVER (PARTITION BY l.order_id ORDER BY l.id) AS n,
                   (date_trunc('month', o.paid_at AT TIME ZONE 'Asia/Shanghai'))::date AS period
            FROM orders_orderline l
            JOIN orders_order o ON o.id = l.order_id
            JOIN channels_saleschannel c ON c.id = l.channel_id
            WHERE l.order_id BETWEEN %(first)s AND %(last)s
        ), part AS (
            SELECT line.*, owner_id AS partner_id, 'channel_commission' AS kind,
                   'channel_owner' AS role, commission AS amount, NULL::int AS share_bp, 0 AS k
            FROM line WHERE commission > 0
            UNION ALL
            SELECT line.*, %(museum)s, 'sale_share', 'licensor',
                   floor((line_total - commission) * %(bp)s / 100) / 100, %(bp)s, 1
            FROM line
            UNION ALL
            SELECT line.*, %(media)s, 'sale_share', 'designer',
                   (line_total - commission)
                   - floor((line_total - commission) * %(bp)s / 100) / 100,
                   10000 - %(bp)s, 2
            FROM line
        )
        INSERT INTO partners_ledgerentry (partner_id, settlement_id, period, kind,
            reversed_kind, role, amount, share_bp, commission_rate, order_id, order_line_id,
            agreement_version_id, channel_id, product_id, warehouse_id, source, position,
            occurred_at, created_at)
        SELECT part.partner_id, s.id, part.period, part.kind, '', part.role, part.amount,
               part.share_bp,
               CASE WHEN part.kind = 'channel_commission' THEN part.commission_rate END,
               part.order_id, part.id, part.agreement_version_id, part.channel_id,
               part.product_id,
               CASE WHEN part.owner_id = %(museum)s THEN %(museum_wh)s ELSE %(media_wh)s END,
               'payment:' || part.order_id, (part.n - 1) * 3 + part.k, part.paid_at, part.paid_at
        FROM part
        JOIN partners_settlement s ON s.partner_id = part.partner_id AND s.period = part.period
        """,
        {
            "first": first_order,
            "last": last_order,
            "museum": world.museum_id,
            "media": world.media_id,
            "bp": LICENSOR_BP,
            "museum_wh": world.warehouse_ids[world.museum_id],
            "media_wh": world.warehouse_ids[world.media_id],
        },
    )


def _daily_sales_insert(first_order: int, last_order: int) -> None:
    """Each partner's daily rows: units and revenue of the lines it has money on, and
    its own share of them, added to rows already there."""
    execute(
        """
        INSERT INTO partners_dailysales AS d (partner_id, day, channel_id, product_id,
            collection_id, warehouse_id, units, units_refunded, gross, refunds, own_share)
        SELECT own.partner_id, (o.paid_at AT TIME ZONE 'Asia/Shanghai')::date, l.channel_id,
               l.product_id, coalesce(p.collection_id, 0), own.warehouse_id,
               sum(l.quantity), 0, sum(l.line_total), 0, sum(own.amount)
        FROM (
            SELECT order_line_id, partner_id, sum(amount) AS amount,
                   min(warehouse_id) AS warehouse_id
            FROM partners_ledgerentry
            WHERE order_id BETWEEN %(first)s AND %(last)s
            GROUP BY order_line_id, partner_id
        ) own
        JOIN orders_orderline l ON l.id = own.order_line_id
        JOIN orders_order o ON o.id = l.order_id
        JOIN catalog_product p ON p.id = l.product_id
        GROUP BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (partner_id, day, channel_id, product_id, collection_id, warehouse_id)
        DO UPDATE SET units = d.units + excluded.units, gross = d.gross + excluded.gross,
                      own_share = d.own_share + excluded.own_share
        """,
        {"first": first_order, "last": last_order},
    )


def _daily_rollups_rebuild() -> None:
    """The daily totals and monthly product rows, summed anew from the daily rows (the
    shop's ledger writes all three in one statement; the seed writes the daily rows in
    bulk, then these)."""
    execute("TRUNCATE partners_dailytotals, partners_monthlyproductsales")
    execute(
        "INSERT INTO partners_dailytotals (partner_id, day, channel_id, collection_id,"
        " warehouse_id, units, units_refunded, gross, refunds, own_share)"
        " SELECT partner_id, day, channel_id, collection_id, warehouse_id, sum(units),"
        " sum(units_refunded), sum(gross), sum(refunds), sum(own_share)"
        " FROM partners_dailysales GROUP BY 1, 2, 3, 4, 5"
    )
    execute(
        "INSERT INTO partners_monthlyproductsales (partner_id, month, product_id, units,"
        " units_refunded, gross, refunds, own_share)"
        " SELECT partner_id, date_trunc('month', day)::date, product_id, sum(units),"
        " sum(units_refunded), sum(gross), sum(refunds), sum(own_share)"
        " FROM partners_dailysales GROUP BY 1, 2, 3"
    )


def _settlements_close(now: dt.datetime) -> None:
    """Months before this one are closed: their totals and a statement line per order,
    summed from the ledger (again after every growth step)."""
    this_month = timezone.localtime(now).date().replace(day=1)
    execute(
        "DELETE FROM partners_settlementline WHERE settlement_id IN "
        "(SELECT id FROM partners_settlement WHERE period < %s)",
        [this_month],
    )
    execute(
        """
        INSERT INTO partners_settlementline (settlement_id, order_id, order_number, gross,
            commissions, refunds, logistics_fees, payment_fees, net)
        SELECT e.settlement_id, e.order_id, o.number,
               coalesce(sum(e.amount)
                        FILTER (WHERE e.kind IN ('sale_share', 'shipping_income')), 0),
               coalesce(sum(e.amount) FILTER (WHERE e.kind = 'channel_commission'), 0),
               0, 0, 0, sum(e.amount)
        FROM partners_ledgerentry e
        JOIN orders_order o ON o.id = e.order_id
        JOIN partners_settlement s ON s.id = e.settlement_id
        WHERE s.period < %s
        GROUP BY e.settlement_id, e.order_id, o.number
        """,
        [this_month],
    )
    execute(
        """
        UPDATE partners_settlement s SET status = 'closed', closed_at = %(now)s,
               gross = t.gross, commissions = t.commissions, net = t.gross + t.commissions
        FROM (
            SELECT s2.id, coalesce(sum(l.gross), 0) AS gross,
                   coalesce(sum(l.commissions), 0) AS commissions
            FROM partners_settlement s2
            LEFT JOIN partners_settlementline l ON l.settlement_id = s2.id
            WHERE s2.period < %(month)s
            GROUP BY s2.id
        ) t
        WHERE s.id = t.id
        """,
        {"now": now, "month": this_month},
    )
