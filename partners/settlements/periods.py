"""Months and days as a partner counts them: settlement periods are calendar months in
the partner's timezone (:attr:`partners.models.Partner.zone`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from zoneinfo import ZoneInfo

from django.utils import timezone

from partners.models import Partner, zone_named


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_next(period: dt.date) -> dt.date:
    return (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month_previous(period: dt.date) -> dt.date:
    return (period.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def partner_today(partner: Partner, now: dt.datetime | None = None) -> dt.date:
    now = now or timezone.now()
    return now.astimezone(partner.zone).date()


class PartnerClock:
    """Each partner's timezone, read once per event."""

    def __init__(self) -> None:
        self._zones: dict[int, ZoneInfo] = {}

    def load(self, partner_ids: Iterable[int]) -> None:
        """Read the timezones of all these partners at once."""
        missing = sorted(set(partner_ids) - set(self._zones))
        if missing:
            self.learn(dict(Partner.objects.filter(pk__in=missing).values_list("id", "timezone")))

    def learn(self, zones: Mapping[int, str]) -> None:
        """Timezones read from the partners' rows (``{partner_id: name}``); an empty one
        is the shop's, Shanghai."""
        for partner_id, name in zones.items():
            if partner_id not in self._zones:
                self._zones[partner_id] = zone_named(name)

    def zone(self, partner_id: int) -> ZoneInfo:
        if partner_id not in self._zones:
            name = Partner.objects.filter(pk=partner_id).values_list("timezone", flat=True).get()
            self.learn({partner_id: name})
        return self._zones[partner_id]

    def local_date(self, partner_id: int, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.zone(partner_id)).date()
