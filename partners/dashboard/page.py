"""What the dashboard page shows for one request: the period and filters read from the
query string, the links that keep them (and the language), and the figures.

The query string: ``month=YYYY-MM`` (the month to date by default) or ``date_from`` and
``date_to``; ``channel`` (a channel code), ``collection`` (a slug); ``lang=en``; and for
superusers ``partner=<code>``. Every link of the page keeps the language and partner;
links within the dashboard keep the filters too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest

from catalog.models import Collection
from partners.apis import report_filters
from partners.errors import ReportFilterInvalid
from partners.models import DailyTotals, Partner
from partners.reports.selectors import ReportFilters
from partners.settlements.periods import month_next
from shop.channels.models import SalesChannel
from shop.core.i18n import pick

FILTER_KEYS = ("date_from", "date_to", "channel", "collection")


def _month(value: str | None, today: dt.date) -> dt.date:
    if value:
        try:
            return dt.datetime.strptime(value, "%Y-%m").date()
        except ValueError:
            pass
    return today.replace(day=1)


@dataclass
class PageQuery:
    """The page's period, filters and language, and how to write them into links."""

    partner: Partner
    today: dt.date
    month: dt.date
    filters: ReportFilters
    lang: str
    keep: dict[str, str] = field(default_factory=dict)
    chosen: dict[str, str] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ranged(self) -> bool:
        """Whether a date range other than the month is chosen."""
        return "date_from" in self.chosen or "date_to" in self.chosen

    def link(self, *, filters: bool = True, **changes: str | None) -> str:
        """A query string ("?..." or "") keeping language and partner, and the filters
        unless told not to; ``changes`` set (or with None drop) parameters."""
        params = dict(self.keep)
        if filters:
            params.update(self.chosen)
            if not self.ranged:
                params["month"] = f"{self.month:%Y-%m}"
        for key, value in changes.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = value
        return f"?{urlencode(params)}" if params else ""

    def month_link(self, month: dt.date) -> str:
        return self.link(month=f"{month:%Y-%m}", date_from=None, date_to=None)

    @property
    def month_link_current(self) -> str:
        """The month without filters, in the same language."""
        return self.link(filters=False, month=f"{self.month:%Y-%m}")


def page_query(request: HttpRequest, partner: Partner, *, superuser: bool) -> PageQuery:
    today = dt.datetime.now(partner.zone).date()
    month = _month(request.GET.get("month"), today)
    last_day = month_next(month) - dt.timedelta(days=1)
    default = ReportFilters(month, min(last_day, max(today, month)))
    lang = "en" if request.GET.get("lang") == "en" else "zh"
    keep = {"lang": "en"} if lang == "en" else {}
    if superuser:
        keep["partner"] = partner.code
    chosen = {key: request.GET[key] for key in FILTER_KEYS if request.GET.get(key)}
    # The form sends the month's own days back: they are no range of their own.
    for key in ("date_from", "date_to"):
        if chosen.get(key) == f"{getattr(default, key)}":
            del chosen[key]
    query = PageQuery(partner, today, month, default, lang, keep, chosen)
    params = {"date_from": f"{default.date_from}", "date_to": f"{default.date_to}", **chosen}
    try:
        query.filters = report_filters(partner, params)
    except ReportFilterInvalid as exc:
        query.errors = exc.fields or {}
        query.chosen = {}
    return query


def filter_choices(partner: Partner, lang: str) -> dict[str, list[tuple[str, str]]]:
    """The channels and collections the partner has sales in, for the filter form."""
    rows = DailyTotals.objects.filter(partner=partner)
    channel_ids = rows.values("channel_id").distinct()
    collection_ids = rows.values("collection_id").distinct()
    channels = SalesChannel.objects.filter(pk__in=channel_ids).order_by("code")
    collections = Collection.objects.filter(pk__in=collection_ids).order_by("slug")
    return {
        "channels_choices": [(c.code, pick(c, "name", lang)) for c in channels],
        "collections_choices": [(c.slug, pick(c, "name", lang)) for c in collections],
    }


def statement_query(query: PageQuery) -> dict[str, Any]:
    """Links to statements and orders keep only the language and partner."""
    return {"statement_query": query.link(filters=False)}
