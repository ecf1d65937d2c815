"""The partner dashboard: HTML pages for partner users, signed in with their account.

The page shows one month: key figures, sales per day, sales per channel, the top
products, fulfillment times and the partner's settlements with their statements.
Charts are SVG drawn here, so the page needs nothing from the internet.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe

from partners.models import Partner
from partners.reports import selectors as reports
from partners.reports.charts import bars_svg, columns_svg
from partners.reports.selectors import ReportFilters
from partners.selectors import partner_for_user
from partners.settlements.periods import month_next, month_previous
from partners.settlements.statement_files import statement_response
from partners.settlements.statements import settlement_get, settlement_list
from shop.core.errors import ShopError
from shop.core.money import ZERO

LOGIN_URL = "partners_dashboard:login"


class PartnerLoginView(LoginView):
    template_name = "partners/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return reverse("partners_dashboard:dashboard")


def _month(value: str | None, today: dt.date) -> dt.date:
    if value:
        try:
            return dt.datetime.strptime(value, "%Y-%m").date()
        except ValueError:
            pass
    return today.replace(day=1)


def _partner_or_none(request: HttpRequest) -> Partner | None:
    try:
        return partner_for_user(request.user, request.GET.get("partner"))
    except ShopError:
        return None


@login_required(login_url=LOGIN_URL)
def dashboard(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    partner = _partner_or_none(request)
    if partner is None:
        choices = Partner.objects.order_by("code") if user.is_superuser else []
        return render(request, "partners/forbidden.html", {"partners": choices}, status=403)
    today = dt.datetime.now(partner.zone).date()
    month = _month(request.GET.get("month"), today)
    last_day = month_next(month) - dt.timedelta(days=1)
    filters = ReportFilters(month, min(last_day, max(today, month)))
    lang = "en" if request.GET.get("lang") == "en" else "zh"

    series = {
        row["period"]: row for row in reports.report_sales_series(partner=partner, filters=filters)
    }
    days = [month + dt.timedelta(days=i) for i in range((last_day - month).days + 1)]
    daily = [(f"{d.day}", series[d]["gross"] if d in series else ZERO) for d in days]
    channels = reports.report_breakdown(partner=partner, filters=filters, by="channel", lang=lang)
    top = reports.report_top_products(partner=partner, filters=filters, lang=lang, limit=10)
    query = f"&partner={partner.code}" if user.is_superuser else ""
    context: dict[str, Any] = {
        "partner": partner,
        "month": month,
        "previous": month_previous(month),
        "next": month_next(month) if month_next(month) <= today else None,
        "query": query,
        "summary": reports.report_summary(partner=partner, filters=filters),
        "times": reports.report_fulfillment_times(partner=partner, filters=filters),
        "daily_chart": mark_safe(  # noqa: S308 - escaped in charts.py
            columns_svg(daily, title="每日销售额 Sales per day", label_every=5)
        ),
        "channel_chart": mark_safe(  # noqa: S308 - escaped in charts.py
            bars_svg([(r["name"], r["gross"]) for r in channels], title="渠道 Sales by channel")
        ),
        "channels": channels,
        "top_products": top,
        "settlements": settlement_list(partner=partner),
    }
    return render(request, "partners/dashboard.html", context)


@login_required(login_url=LOGIN_URL)
def statement_download(request: HttpRequest, settlement_id: int, fmt: str) -> HttpResponse:
    partner = _partner_or_none(request)
    if partner is None:
        raise Http404
    try:
        settlement = settlement_get(partner=partner, settlement_id=settlement_id)
    except ShopError as exc:
        raise Http404 from exc
    return statement_response(settlement, fmt)
