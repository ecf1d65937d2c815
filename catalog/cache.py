"""Whole answers of the public catalog kept in Redis, and the rule for throwing them away.

Storefronts read the product list and product pages far more often than anything in the
catalog changes, so a 200 answer is kept, as rendered bytes with its headers, for
``settings.CATALOG_CACHE_SECONDS`` (0 or unset: no caching). Every key carries the
catalog version, a number in Redis; raising it makes every kept answer unreachable at once.

When a change shows:

- Texts, prices, images, tags, collections, relics, channel listings and prices,
  warehouses, sales channels: at once. Saving or deleting any of these rows through the
  ORM (admin, CSV import, services, shell) raises the version when the transaction
  commits (the signal receivers below). Code that changes them with ``QuerySet.update()``
  bypasses the receivers and must call :func:`catalog_changed` itself.
- Units a warehouse receives, adjusts, counts or transfers, and low-stock thresholds: at
  once (:mod:`catalog.services` calls :func:`catalog_changed`).
- Units held or released by checkouts, payments and expiries (``stock_reserve`` and
  ``stock_unreserve``, hundreds a second during a livestream drop), and publication
  windows that open or close by the clock: within ``CATALOG_CACHE_SECONDS``. Raising
  the version on every reservation would empty the cache exactly when it is needed
  most, and the level a shopper sees is a hint: adding to the cart and placing the
  order always check the stock itself.

Redis being down never fails a catalog request: the answer is computed as without cache.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
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

VERSION_KEY = "catalog:version"
KEPT_HEADERS = ("Content-Type", "Allow", "ETag", "Cache-Control", "Content-Language", "Vary")


def cache_seconds() -> int:
    return int(getattr(settings, "CATALOG_CACHE_SECONDS", 0) or 0)


def catalog_version() -> int:
    """The current version; created on first use from the clock, so a version lost with
    Redis's memory never comes back to a number whose answers may still be kept."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, int(time.time() * 1000), timeout=None)
        version = cache.get(VERSION_KEY)
    return int(version)


def _version_raise() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet: the first reader creates one
        pass
    except Exception:  # Redis down: kept answers expire by themselves
        logger.warning("could not raise the catalog version", exc_info=True)


def catalog_changed() -> None:
    """Something shoppers see in the catalog changed: forget every kept answer once the
    current transaction commits (at once outside one). Raising it after the commit means
    a request that read the old rows can never store them under the new version."""
    transaction.on_commit(_version_raise)


def response_cache_key(request: HttpRequest, *, lang: str, version: int) -> str:
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
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return f"catalog:{version}:{digest}"


@dataclass(frozen=True)
class KeptAnswer:
    content: bytes
    headers: dict[str, str]

    @property
    def etag(self) -> str:
        return self.headers.get("ETag", "")


def kept_answer_get(request: HttpRequest, *, lang: str) -> tuple[str | None, KeptAnswer | None]:
    """The key to store this request's answer under (None: don't store), and the answer
    kept under it, if any."""
    if request.method != "GET" or cache_seconds() <= 0:
        return None, None
    try:
        key = response_cache_key(request, lang=lang, version=catalog_version())
        return key, cache.get(key)
    except Exception:  # Redis down: answer without it
        logger.warning("catalog cache unavailable", exc_info=True)
        return None, None


def kept_answer_store(key: str, response: Any) -> None:
    """Keep a rendered 200 answer for ``CATALOG_CACHE_SECONDS``."""
    headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
    try:
        cache.set(key, KeptAnswer(bytes(response.content), headers), timeout=cache_seconds())
    except Exception:
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
