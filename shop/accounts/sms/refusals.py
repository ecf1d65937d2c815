"""What a shopper is told when an SMS provider took the request but would not text the
number: its own limit on the number is a 429 with Retry-After, a number that cannot get
texts a 400; anything else the shopper cannot change is a 503 ``sms_not_sent``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping

from shop.accounts.errors import SmsNotSent, SmsNumberLimited, SmsNumberRefused

CHINA = dt.timezone(dt.timedelta(hours=8))


def seconds_to_midnight_in_china(now: dt.datetime) -> int:
    """Providers count a number's daily messages by the day in China."""
    china = now.astimezone(CHINA)
    tomorrow = (china + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1, int((tomorrow - china).total_seconds()))


def sms_refusal(
    code: str,
    *,
    limits: Mapping[str, int | None],
    refused: Collection[str],
    now: dt.datetime,
) -> Exception:
    """The shop's error for a provider's ``code``: ``limits`` maps a provider's per-number
    limits to the seconds they last (None: until midnight in China)."""
    if code in limits:
        return SmsNumberLimited(retry_after=limits[code] or seconds_to_midnight_in_china(now))
    if code in refused:
        return SmsNumberRefused()
    return SmsNotSent()
