"""CSV files of the dashboard's tables, for the same period, filters and language as the
page they are linked from. Plain numbers (no thousands separators) so spreadsheets read
them as numbers; a BOM so they read the Chinese names as UTF-8."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from django.http import HttpResponse

from partners.dashboard.page import PageQuery

Columns = list[tuple[str, str]]

FIGURE_COLUMNS: Columns = [
    ("units", "units"),
    ("units_refunded", "units_refunded"),
    ("gross", "gross"),
    ("refunds", "refunds"),
    ("net", "net"),
    ("own_share", "own_share"),
]

TABLES: dict[str, Columns] = {
    "comparison": [
        ("period", "key"),
        ("date_from", "date_from"),
        ("date_to", "date_to"),
        ("orders", "orders"),
        *FIGURE_COLUMNS,
        ("average_order_value", "average_order_value"),
        ("refund_rate_percent", "refund_rate"),
        ("return_rate_percent", "return_rate"),
    ],
    "daily": [("day", "period"), *FIGURE_COLUMNS],
    "channels": [("channel", "code"), ("name", "name"), *FIGURE_COLUMNS],
    "products": [("product", "code"), ("name", "name"), *FIGURE_COLUMNS],
    "inventory": [
        ("warehouse", "code"),
        ("name", "name"),
        ("on_hand", "on_hand"),
        ("reserved", "reserved"),
        ("free", "free"),
        ("low", "low"),
        ("sold", "sold"),
        ("sell_through_percent", "sell_through"),
    ],
    "low-stock": [
        ("warehouse", "warehouse"),
        ("sku", "sku"),
        ("product", "product"),
        ("on_hand", "on_hand"),
        ("reserved", "reserved"),
        ("free", "free"),
        ("threshold", "threshold"),
    ],
    "settlements": [
        ("period", "period"),
        ("number", "number"),
        ("status", "status"),
        ("gross", "gross"),
        ("commissions", "commissions"),
        ("refunds", "refunds"),
        ("logistics_fees", "logistics_fees"),
        ("payment_fees", "payment_fees"),
        ("net", "net"),
    ],
}


def _value(row: Any, key: str) -> Any:
    value = row.get(key) if isinstance(row, dict) else getattr(row, key)
    if key == "period" and hasattr(value, "strftime") and not isinstance(row, dict):
        return f"{value:%Y-%m}"
    return "" if value is None else value


def table_csv(
    name: str, query: PageQuery, rows_of: Callable[[str], list[Any]]
) -> HttpResponse | None:
    """The table ``name`` as a CSV download; None for no such table."""
    columns = TABLES.get(name)
    if columns is None:
        return None
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([heading for heading, _ in columns])
    for row in rows_of(name):
        writer.writerow([_value(row, key) for _, key in columns])
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    period = f"{query.filters.date_from:%Y%m%d}-{query.filters.date_to:%Y%m%d}"
    filename = f"{query.partner.code}-{name}-{period}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
