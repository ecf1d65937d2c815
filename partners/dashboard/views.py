"""The partner dashboard: HTML pages for partner users, signed in with their account.

The page shows one month to date (or a chosen date range, channel and collection): the
key figures beside a month and a year before, sales per day, sales per channel, the top
products, the partner's warehouses, fulfillment times and the partner's settlements
with their statements, the open one with its figures so far.
Charts are SVG drawn here, so the page needs nothing from the internet.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe

from partners.dashboard.exports import table_csv
from partners.dashboard.page import PageQuery, filter_choices, page_query, statement_query
from partners.models import LedgerEntry, LedgerKind, Partner
from partners.reports import figures, inventory
from partners.reports import selectors as reports
from partners.reports.charts import bars_svg, columns_svg
from partners.selectors import partner_for_user
from partners.settlements.periods import month_next, month_previous
from partners.settlements.statements import (
    settlement_get,
    settlement_list,
    settlement_statement_get,
)
from partners.settlements.stored_statements import statement_response
from shop.core.errors import ShopError
from shop.core.i18n import pick
from shop.core.money import ZERO
from shop.core.replica import replica_reads

LOGIN_URL = "partners_dashboard:login"

# The ledger kinds as the statements name them.
KIND_LABELS: dict[str, str] = {
    LedgerKind.SALE_SHARE: "销售分成 Sales share",
    LedgerKind.CHANNEL_COMMISSION: "渠道佣金 Commission",
    LedgerKind.SHIPPING_INCOME: "运费收入 Shipping income",
    LedgerKind.LOGISTICS_FEE: "物流费 Logistics fee",
    LedgerKind.PAYMENT_FEE: "支付手续费 Payment fee",
    LedgerKind.REFUND_REVERSAL: "退款冲回 Refund",
}


class PartnerLoginView(LoginView):
    template_name = "partners/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return reverse("partners_dashboard:dashboard")


def _partner_or_none(request: HttpRequest) -> Partner | None:
    try:
        return partner_for_user(request.user, request.GET.get("partner"))
    except ShopError:
        return None


def _forbidden(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    choices = Partner.objects.order_by("code") if user.is_superuser else []
    return render(request, "partners/forbidden.html", {"partners": choices}, status=403)


def _charts(query: PageQuery, channels: list[dict[str, Any]]) -> dict[str, Any]:
    partner, filters = query.partner, query.filters
    series = {
        row["period"]: row for row in reports.report_sales_series(partner=partner, filters=filters)
    }
    days = [
        filters.date_from + dt.timedelta(days=i)
        for i in range((filters.date_to - filters.date_from).days + 1)
    ]
    # A month's columns are named by day; a longer range's by month and day, fewer of them.
    label = (lambda d: f"{d.day}") if len(days) <= 31 else (lambda d: f"{d:%m-%d}")
    daily = [(label(d), series[d]["gross"] if d in series else ZERO) for d in days]
    every = 5 if len(days) <= 31 else max(7, len(days) // 6)
    return {
        "daily": daily,
        "daily_chart": mark_safe(  # noqa: S308 - escaped in charts.py
            columns_svg(daily, title="每日销售额 Sales per day", label_every=every)
        ),
        "channel_chart": mark_safe(  # noqa: S308 - escaped in charts.py
            bars_svg([(r["name"], r["gross"]) for r in channels], title="渠道 Sales by channel")
        ),
    }


def dashboard_tables(query: PageQuery) -> dict[str, Any]:
    """Every table of the page (what the page shows and the CSV exports write)."""
    partner, filters, lang = query.partner, query.filters, query.lang
    channels = reports.report_breakdown(partner=partner, filters=filters, by="channel", lang=lang)
    return {
        "comparison": figures.report_comparison(partner=partner, filters=filters),
        "channels": channels,
        "top_products": reports.report_top_products(
            partner=partner, filters=filters, lang=lang, limit=10
        ),
        "inventory": inventory.report_inventory(partner=partner, filters=filters, lang=lang),
        "low_stock": inventory.report_low_stock(partner=partner, filters=filters, lang=lang),
        "settlements": settlement_list(partner=partner),
        "late": figures.report_late_events(
            partner=partner, date_from=filters.date_from, date_to=filters.date_to
        ),
    }


@login_required(login_url=LOGIN_URL)
@replica_reads()
def dashboard(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    partner = _partner_or_none(request)
    if partner is None:
        return _forbidden(request)
    query = page_query(request, partner, superuser=user.is_superuser)
    tables = dashboard_tables(query)
    month = query.month
    following = month_next(month)
    context: dict[str, Any] = {
        "partner": partner,
        "q": query,
        "month": month,
        "previous": month_previous(month),
        "previous_link": query.month_link(month_previous(month)),
        "next": following if following <= query.today else None,
        "next_link": query.month_link(following),
        "summary": tables["comparison"][0],
        "times": reports.report_fulfillment_times(partner=partner, filters=query.filters),
        **tables,
        **_charts(query, tables["channels"]),
        **filter_choices(partner, query.lang),
        **statement_query(query),
    }
    return render(request, "partners/dashboard.html", context)


def _table_rows(query: PageQuery) -> Any:
    """What each exported table holds: the page's rows, computed for that table alone."""
    partner, filters, lang = query.partner, query.filters, query.lang
    tables: dict[str, Any] = {
        "comparison": lambda: figures.report_comparison(partner=partner, filters=filters),
        "daily": lambda: reports.report_sales_series(partner=partner, filters=filters),
        "channels": lambda: reports.report_breakdown(
            partner=partner, filters=filters, by="channel", lang=lang
        ),
        "products": lambda: reports.report_breakdown(
            partner=partner, filters=filters, by="product", lang=lang
        ),
        "inventory": lambda: inventory.report_inventory(
            partner=partner, filters=filters, lang=lang
        ),
        "low-stock": lambda: inventory.report_low_stock(
            partner=partner, filters=filters, lang=lang
        ),
        "settlements": lambda: settlement_list(partner=partner),
    }
    return lambda name: tables[name]()


@login_required(login_url=LOGIN_URL)
@replica_reads()
def table_export(request: HttpRequest, table: str) -> HttpResponse:
    user: Any = request.user
    partner = _partner_or_none(request)
    if partner is None:
        raise Http404
    query = page_query(request, partner, superuser=user.is_superuser)
    response = table_csv(table, query, _table_rows(query))
    if response is None:
        raise Http404
    return response


@login_required(login_url=LOGIN_URL)
def settlement_orders(request: HttpRequest, settlement_id: int) -> HttpResponse:
    """A settlement's statement lines, one per order, each linking to the order."""
    user: Any = request.user
    partner = _partner_or_none(request)
    if partner is None:
        raise Http404
    try:
        settlement = settlement_get(partner=partner, settlement_id=settlement_id)
    except ShopError as exc:
        raise Http404 from exc
    query = page_query(request, partner, superuser=user.is_superuser)
    context = {
        "partner": partner,
        "statement": settlement_statement_get(settlement),
        "back_link": query.month_link(settlement.period),
        **statement_query(query),
    }
    return render(request, "partners/settlement.html", context)


@login_required(login_url=LOGIN_URL)
def order_entries(request: HttpRequest, order_number: str) -> HttpResponse:
    """The partner's own ledger entries of one order, with the statement each is in."""
    user: Any = request.user
    partner = _partner_or_none(request)
    if partner is None:
        raise Http404
    entries = list(
        LedgerEntry.objects.filter(partner=partner, order__number=order_number)
        .select_related("settlement", "product")
        .order_by("occurred_at", "position")
    )
    if not entries:
        raise Http404
    query = page_query(request, partner, superuser=user.is_superuser)
    rows = [
        {
            "entry": entry,
            "kind": KIND_LABELS[entry.kind],
            "product": pick(entry.product, "name", query.lang) if entry.product else "",
            "month": entry.occurred_at.astimezone(partner.zone).date().replace(day=1),
        }
        for entry in entries
    ]
    context = {
        "partner": partner,
        "order_number": order_number,
        "rows": rows,
        "total": sum((entry.amount for entry in entries), ZERO),
        **statement_query(query),
    }
    return render(request, "partners/order.html", context)


@login_required(login_url=LOGIN_URL)
def statement_download(request: HttpRequest, settlement_id: int, fmt: str) -> HttpResponseBase:
    partner = _partner_or_none(request)
    if partner is None:
        raise Http404
    try:
        settlement = settlement_get(partner=partner, settlement_id=settlement_id)
    except ShopError as exc:
        raise Http404 from exc
    return statement_response(settlement, fmt)
