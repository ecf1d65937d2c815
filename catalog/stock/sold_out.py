"""Sold-out marks: once a variant is sold out, a shopper who still asks for it is told so
before the checkout reads anything from the database.

When a livestream drop sells out, most of its shoppers arrive after the last unit went:
each of them used to cost the whole early look of the checkout (the variant with its
facts, a compiled query and a round trip) to learn that nothing is left. A refusal for
lack of units, read from the database, leaves a mark in Redis (the cache's), per
variant's SKU and channel; the next buy-now of that SKU in that channel finds it in
one round trip and is refused the same way (``sold_out``, 409, the line named).

The database stays the authority: a mark only ever refuses sooner what the database
refused a moment ago, it never lets a unit be sold (holding units is the conditional
update of ``catalog.stock.holds``, unchanged). A mark never outlives units coming back
by more than a short, bounded time:

- units given back (an expired hold, a cancelled or expired order: ``stock_unreserve``
  on a row that had none free) clear the variant's marks when their transaction
  commits, and for ``SHOP_SOLD_OUT_MARK_SECONDS`` no new mark is set for it, so a
  refusal read just before the units came back cannot mark it again;
- everything staff do to stock (receipts, adjustments, counts, transfers, returns), to
  warehouses and to listings raises the catalog version (``catalog.cache``), and marks
  are kept under the version they were set in: they are all forgotten at once;
- every mark lives ``SHOP_SOLD_OUT_MARK_SECONDS`` (2 s by default; 0 turns marks off),
  so one that a lost clear left behind refuses for at most that long. A refusal read
  from the database after that sets it again.

Redis away never fails a checkout: without an answer, the checkout reads the database
as it would without marks. Where the cache is not Redis (the embedded default), there
are no marks.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction

from catalog import cache
from catalog.errors import SoldOut
from catalog.models import Stock

logger = logging.getLogger(__name__)

# KEYS[1]: the catalog version key; ARGV: the marks' prefix, the channel, the SKUs.
# Answers the first SKU marked sold out in the channel under the current version.
_FIND = """
local version = redis.call('GET', KEYS[1])
if not version then return false end
for i = 3, #ARGV do
    if redis.call('HEXISTS', ARGV[1] .. version .. ':' .. ARGV[i], ARGV[2]) == 1 then
        return ARGV[i]
    end
end
return false
"""
# KEYS[1]: the catalog version key; ARGV: the marks' prefix, the "units came back"
# prefix, the channel, the marks' life in ms, the version to create, the SKUs.
_MARK = """
local version = redis.call('GET', KEYS[1])
if not version then
    redis.call('SET', KEYS[1], ARGV[5], 'NX')
    version = redis.call('GET', KEYS[1])
end
for i = 6, #ARGV do
    if redis.call('EXISTS', ARGV[2] .. ARGV[i]) == 0 then
        local key = ARGV[1] .. version .. ':' .. ARGV[i]
        redis.call('HSET', key, ARGV[3], 1)
        redis.call('PEXPIRE', key, ARGV[4])
    end
end
return 0
"""
# KEYS[1]: the catalog version key; ARGV: the marks' prefix, the "units came back"
# prefix, how long no mark is set in ms, the SKUs.
_CLEAR = """
local version = redis.call('GET', KEYS[1])
for i = 4, #ARGV do
    if version then redis.call('DEL', ARGV[1] .. version .. ':' .. ARGV[i]) end
    redis.call('SET', ARGV[2] .. ARGV[i], 1, 'PX', ARGV[3])
end
return 0
"""


class _Scripts:
    """The three scripts, registered once per Redis client of the process."""

    def __init__(self) -> None:
        self.client: Any = None
        self.find: Any = None
        self.mark: Any = None
        self.clear: Any = None

    def of(self, client: Any) -> _Scripts:
        if client is not self.client:
            self.find = client.register_script(_FIND)
            self.mark = client.register_script(_MARK)
            self.clear = client.register_script(_CLEAR)
            self.client = client
        return self


_scripts = _Scripts()


def _milliseconds() -> int:
    return int(float(getattr(settings, "SHOP_SOLD_OUT_MARK_SECONDS", 0) or 0) * 1000)


def _redis() -> tuple[_Scripts, str, str] | None:
    """The scripts, the catalog version key and the marks' prefix; None when marks are
    off (no Redis cache, or no mark life)."""
    if _milliseconds() <= 0:
        return None
    store = cache.catalog_redis()
    if store is None:
        return None
    client, prefix = store
    return _scripts.of(client), f"{prefix}version", f"{prefix}sold-out:"


def sold_out_marked_raise(channel_id: int, skus: Sequence[str]) -> None:
    """Raise ``SoldOut`` naming the first of ``skus`` marked sold out in the channel, as
    the checkout names a line it found sold out; nothing when none is (or Redis does
    not answer)."""
    found = _redis()
    if found is None or not skus:
        return
    scripts, version_key, prefix = found
    try:
        sku = scripts.find(keys=[version_key], args=[prefix, channel_id, *skus])
    except cache.REDIS_FAILURES:
        logger.warning("sold-out marks unavailable", exc_info=True)
        return
    if sku is not None:
        raise SoldOut(fields={"lines": [sku.decode() if isinstance(sku, bytes) else sku]})


def sold_out_mark(channel_id: int, skus: Iterable[str]) -> None:
    """The database has just found these SKUs sold out in the channel: mark them (not
    those whose units came back a moment ago)."""
    found = _redis()
    skus = list(skus)
    if found is None or not skus:
        return
    scripts, version_key, prefix = found
    args = [prefix, f"{prefix}back:", channel_id, _milliseconds(), cache.new_version()]
    try:
        scripts.mark(keys=[version_key], args=[*args, *skus])
    except cache.REDIS_FAILURES:
        logger.warning("could not mark SKUs sold out", exc_info=True)


def sold_out_clear_on_commit(*, stock_id: int) -> None:
    """Units of this stock row come back: once the transaction commits, its variant is
    no longer marked sold out in any channel (and not marked again for a moment)."""
    if _redis() is not None:
        transaction.on_commit(lambda: _clear(stock_id))


def _clear(stock_id: int) -> None:
    found = _redis()
    if found is None:
        return
    skus = list(Stock.objects.filter(pk=stock_id).values_list("variant__sku", flat=True))
    scripts, version_key, prefix = found
    try:
        scripts.clear(keys=[version_key], args=[prefix, f"{prefix}back:", _milliseconds(), *skus])
    except cache.REDIS_FAILURES:  # the marks expire by themselves
        logger.warning("could not clear sold-out marks", exc_info=True)
