"""Whole answers of the public catalog kept in Redis, and the rule for throwing them away.

Storefronts read the product list and product pages far more often than anything in the
catalog changes, so a 200 answer is kept in Redis, as rendered bytes with its headers,
fresh for ``settings.CATALOG_CACHE_SECONDS`` (0 or unset: no caching). Every key carries
the catalog version, a number in Redis; raising it makes every kept answer unreachable
at once.

When a change shows:

- Texts, prices, images, tags, collections, relics, channel listings and prices,
  warehouses, sales channels: at once. Saving or deleting any of these rows through the
  ORM (admin, CSV import, services, shell) raises the version when the transaction
  commits (the signal receivers below). Code that changes them with ``QuerySet.update()``
  bypasses the receivers and must call :func:`catalog_changed` itself.
- Units a warehouse receives, adjusts, counts or transfers, and low-stock thresholds: at
  once (:mod:`catalog.stock` calls :func:`catalog_changed`).
- Units held or released by checkouts, payments and expiries (``stock_reserve`` and
  ``stock_unreserve``, hundreds a second during a livestream drop), and publication
  windows that open or close by the clock: once the kept answer is no longer fresh,
  that is ``CATALOG_CACHE_SECONDS`` after it was computed plus the time one request
  takes to compute it again (never more than twice ``CATALOG_CACHE_SECONDS``). Raising
  the version on every reservation would empty the cache exactly when it is needed
  most, and the level a shopper sees is a hint: adding to the cart and placing the
  order always check the stock itself.

Redis being down never fails a catalog request: the answer is computed as without cache.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

import redis
from django.conf import settings
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse

from catalog.models import (
    Collection,
    Product,
    ProductChannelListing,
    ProductImage,
    ProductVariant,
    Relic,
    Stock,
    Tag,
    VariantChannelPrice,
    Warehouse,
)

logger = logging.getLogger(__name__)

KEPT_HEADERS = ("Content-Type", "Allow", "ETag", "Cache-Control", "Content-Language", "Vary")
_FAILURES = (redis.RedisError, OSError)

# One round trip per request: the version (created if missing) and the answer kept
# under it. KEYS[1] is the version key; ARGV: the answers' key prefix, the request's
# digest, the version to create.
_LOOKUP = """
local version = redis.call('GET', KEYS[1])
if not version then
    redis.call('SET', KEYS[1], ARGV[3], 'NX')
    version = redis.call('GET', KEYS[1])
end
return {version, redis.call('GET', ARGV[1] .. version .. ':' .. ARGV[2])}
"""
# The version alone (created if missing), in one round trip. KEYS[1]: the version key;
# ARGV[1]: the version to create.
_VERSION = """
local version = redis.call('GET', KEYS[1])
if not version then
    redis.call('SET', KEYS[1], ARGV[1], 'NX')
    version = redis.call('GET', KEYS[1])
end
return version
"""


def cache_seconds() -> int:
    return int(getattr(settings, "CATALOG_CACHE_SECONDS", 0) or 0)


class _Store:
    """The Redis of the default cache, with one client per process (Django's cache
    builds a new client object for every call, which costs more than the lookup)."""

    def __init__(self) -> None:
        self.location = ""
        self.client: redis.Redis | None = None
        self.lookup: Any = None
        self.version: Any = None
        self.prefix = ""

    def get(self) -> _Store | None:
        config = settings.CACHES.get("default", {})
        if "redis" not in str(config.get("BACKEND", "")).lower():
            return None
        location = str(config["LOCATION"])
        if self.client is None or location != self.location:
            self.client = redis.Redis.from_url(location, socket_timeout=2, socket_connect_timeout=2)
            self.lookup = self.client.register_script(_LOOKUP)
            self.version = self.client.register_script(_VERSION)
            self.location = location
        self.prefix = f"{config.get('KEY_PREFIX', '')}:catalog:"
        return self

    @property
    def version_key(self) -> str:
        return f"{self.prefix}version"


_store = _Store()


def _redis() -> _Store | None:
    return _store.get()


def _new_version() -> int:
    # From the clock, so a version lost with Redis's memory never comes back to a
    # number whose answers may still be kept.
    return int(time.time() * 1000)


# What a Redis call may raise when Redis is away; callers answer without it.
REDIS_FAILURES = _FAILURES


def new_version() -> int:
    """A catalog version to create when none is kept (see ``_new_version``)."""
    return _new_version()


def catalog_redis() -> tuple[redis.Redis, str] | None:
    """The process's Redis client of the cache and the catalog's key prefix (its version
    key is the prefix and ``version``), for other catalog state kept beside the
    answers (sold-out marks); None when the cache is not Redis."""
    store = _redis()
    if store is None or store.client is None:
        return None
    return store.client, store.prefix


def catalog_version() -> int:
    store = _redis()
    if store is None or store.client is None:
        return 0
    return int(store.version(keys=[store.version_key], args=[_new_version()]) or 0)


def _version_raise() -> None:
    store = _redis()
    if store is None or store.client is None:
        return
    try:
        store.client.incr(store.version_key)
    except _FAILURES:  # Redis down: kept answers expire by themselves
        logger.warning("could not raise the catalog version", exc_info=True)


def catalog_changed() -> None:
    """Something shoppers see in the catalog changed: forget every kept answer once the
    current transaction commits (at once outside one). Raising it after the commit means
    a request that read the old rows can never store them under the new version."""
    transaction.on_commit(_version_raise)


def request_digest(request: HttpRequest, *, lang: str) -> str:
    """Everything an answer depends on: address, query string, language, channel key."""
    query = sorted((key, value) for key in request.GET for value in request.GET.getlist(key))
    parts = [
        request.scheme or "",
        request.get_host(),
        request.path,
        lang,
        repr(query),
        request.META.get("HTTP_X_CHANNEL_KEY", ""),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class KeptAnswer:
    content: bytes
    headers: dict[str, str]

    @property
    def etag(self) -> str:
        return self.headers.get("ETag", "")


def _pack(fresh_until: float, headers: dict[str, str], content: bytes) -> bytes:
    return f"{fresh_until:.3f}\n{json.dumps(headers)}\n".encode() + content


def _unpack(value: bytes) -> tuple[float, KeptAnswer]:
    fresh_until, headers, content = value.split(b"\n", 2)
    return float(fresh_until), KeptAnswer(content, json.loads(headers))


def kept_answer_get(request: HttpRequest, *, lang: str) -> tuple[str | None, KeptAnswer | None]:
    """The key to store this request's answer under (None: don't store), and the answer
    to give instead of computing one, if any.

    An answer is fresh for ``CATALOG_CACHE_SECONDS``. Once it is older, the first request
    to see that computes it again (it wins a short lock) while the others are still given
    the kept one, so an expiry never sends every shopper to the database at once; no
    answer older than twice ``CATALOG_CACHE_SECONDS`` is ever given.
    """
    seconds = cache_seconds()
    if request.method != "GET" or seconds <= 0:
        return None, None
    store = _redis()
    if store is None:
        return None, None
    try:
        digest = request_digest(request, lang=lang)
        version, value = store.lookup(
            keys=[store.version_key], args=[store.prefix, digest, _new_version()]
        )
        key = f"{store.prefix}{int(version)}:{digest}"
        if value is None:
            return key, None
        fresh_until, answer = _unpack(value)
        stale = fresh_until < time.time() and store.client is not None
        if stale and store.client.set(f"{key}:refresh", 1, nx=True, ex=seconds):  # type: ignore[union-attr]
            return key, None  # this request refreshes the answer
        return key, answer
    except _FAILURES:  # Redis down: answer without it
        logger.warning("catalog cache unavailable", exc_info=True)
        return None, None


def kept_answer_store(key: str, response: Any) -> None:
    """Keep a rendered 200 answer: fresh for ``CATALOG_CACHE_SECONDS``, given while it is
    being refreshed for as long again."""
    store = _redis()
    if store is None or store.client is None:
        return
    seconds = cache_seconds()
    headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
    value = _pack(time.time() + seconds, headers, bytes(response.content))
    try:
        store.client.set(key, value, ex=2 * seconds)
    except _FAILURES:
        logger.warning("could not keep a catalog answer", exc_info=True)


def kept_answer_response(answer: KeptAnswer, *, not_modified: bool) -> HttpResponse:
    if not_modified:
        response = HttpResponse(status=304)
        for name, value in answer.headers.items():
            if name != "Content-Type":
                response[name] = value
        return response
    response = HttpResponse(answer.content)
    for name, value in answer.headers.items():
        response[name] = value
    return response


def _on_change(sender: Any, **kwargs: Any) -> None:
    catalog_changed()


_WATCHED = (
    Collection,
    Product,
    ProductChannelListing,
    ProductImage,
    ProductVariant,
    Relic,
    Stock,
    Tag,
    VariantChannelPrice,
    Warehouse,
    "channels.SalesChannel",
)
for _model in _WATCHED:
    post_save.connect(_on_change, sender=_model, dispatch_uid=f"catalog-cache-save-{_model}")
    post_delete.connect(_on_change, sender=_model, dispatch_uid=f"catalog-cache-delete-{_model}")
m2m_changed.connect(_on_change, sender=Product.tags.through, dispatch_uid="catalog-cache-tags")
