"""The product list's entries (:class:`~catalog.models.ProductListEntry`): what the public
product list sorts, filters and counts by, one narrow row per product and channel.

Why they exist: to filter, sort and count a page, the list used to work out the cheapest
price and the free units of every product of the channel, so a deep page, a filter on
stock or price, or only the count took seconds at 100,000 products. With the entries a
page is picked and counted in one index, and prices and stock are worked out only for
the twenty products of the page (:func:`catalog.selectors.product_list`).

Who keeps them right:

- :func:`list_entries_refresh` writes a product's entries again from its rows. Whatever
  saves or deletes a product, its variants, channel listings or channel prices, or puts
  a stock row with units in place other than through the stock services, calls it in
  the same transaction: the admin, the CSV import, the demo data, the benchmark seed
  (the same places that call :func:`catalog.search.product_search_text_refresh`). Rows
  changed with ``QuerySet.update()`` or raw SQL need it too.
- Units alone (held, released, received, adjusted, counted, moved) matter only when a
  stock row's free units go from some to none or back; the stock services then recount
  ``has_free_units``: at once for staff operations, right after the commit for
  checkouts and their releases (:func:`list_entries_stock_recount_on_commit`), so a
  checkout never waits for, nor deadlocks over, the lock a recount takes.
- :func:`list_entries_stock_sweep` (a periodic task) recounts any product whose flag
  still disagrees with its stock, should a process die between a commit and its recount.

Every writer first locks the rows of the products concerned (``FOR NO KEY UPDATE``, which
the foreign-key checks of new order lines do not wait for), then reads the catalog as it
is once it holds the lock: of two writers the later one always sees what the first
committed, so neither can leave an older answer behind.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator

from django.db import connection, transaction
from django.db.models import (
    DateTimeField,
    Exists,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)

from catalog.models import (
    Product,
    ProductChannelListing,
    ProductListEntry,
    ProductVariant,
    Stock,
)
from catalog.offers import MONEY, free_stock, price_in_channel

logger = logging.getLogger(__name__)

# The columns written, in the order of the SELECTs below.
_COLUMNS = [
    "product",
    "channel",
    "slug",
    "name_zh",
    "name_en",
    "created_at",
    "collection",
    "available_from",
    "available_until",
    "price_from",
    "has_free_units",
]
# Products per statement, well under SQLite's limit of parameters per statement.
_CHUNK = 500


def _chunks(product_ids: Iterable[int]) -> Iterator[list[int]]:
    ids = sorted(set(product_ids))
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _has_active_variant(product: str) -> Exists:
    return Exists(ProductVariant.objects.filter(product=OuterRef(product), is_active=True))


def free_units_exist(product: str) -> Exists:
    """Whether some active variant of the product has a stock row in an open warehouse
    with units nobody holds (rows never hold more than they have, so this is the same as
    the free units adding up to more than none)."""
    return Exists(free_stock(variant__product=OuterRef(product), variant__is_active=True))


def _browsing_rows(product_ids: list[int] | None) -> QuerySet:
    """An entry without channel for each product on show, at its list prices."""
    cheapest = (
        ProductVariant.objects.filter(product=OuterRef("pk"), is_active=True)
        .annotate(effective=price_in_channel(None))
        .order_by("effective")
        .values("effective")[:1]
    )
    products = Product.objects.filter(_has_active_variant("pk"), is_active=True)
    if product_ids is not None:
        products = products.filter(pk__in=product_ids)
    return (
        products.order_by()
        .annotate(
            entry_channel=Value(None, output_field=IntegerField()),
            entry_from=Value(None, output_field=DateTimeField()),
            entry_until=Value(None, output_field=DateTimeField()),
            entry_price=Subquery(cheapest, output_field=MONEY),
            entry_free=free_units_exist("pk"),
        )
        .values(
            "pk",
            "entry_channel",
            "slug",
            "name_zh",
            "name_en",
            "created_at",
            "collection_id",
            "entry_from",
            "entry_until",
            "entry_price",
            "entry_free",
        )
    )


def _channel_rows(product_ids: list[int] | None) -> QuerySet:
    """An entry for each published listing of a product on show, at the channel's prices;
    the listing's window goes with it, for the list to read the entries open now
    (:func:`catalog.offers.window_open`)."""
    cheapest = (
        ProductVariant.objects.filter(product=OuterRef("product_id"), is_active=True)
        # The listing's channel, two queries out (the channel price's, then the variants').
        .annotate(effective=price_in_channel(OuterRef(OuterRef("channel_id"))))
        .order_by("effective")
        .values("effective")[:1]
    )
    listings = ProductChannelListing.objects.filter(
        _has_active_variant("product_id"), is_published=True, product__is_active=True
    )
    if product_ids is not None:
        listings = listings.filter(product_id__in=product_ids)
    return (
        listings.order_by()
        .annotate(
            entry_price=Subquery(cheapest, output_field=MONEY),
            entry_free=free_units_exist("product_id"),
        )
        .values(
            "product_id",
            "channel_id",
            "product__slug",
            "product__name_zh",
            "product__name_en",
            "product__created_at",
            "product__collection_id",
            "available_from",
            "available_until",
            "entry_price",
            "entry_free",
        )
    )


def _insert(rows: QuerySet) -> int:
    """``INSERT INTO entries SELECT ...``: the rows never travel through Python."""
    quote = connection.ops.quote_name
    table = quote(ProductListEntry._meta.db_table)
    column = {field.name: field.column for field in ProductListEntry._meta.concrete_fields}
    columns = ", ".join(quote(column[name]) for name in _COLUMNS)
    select, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {select}", params)
        return int(cursor.rowcount)


def _products_lock(product_ids: list[int]) -> None:
    # In primary-key order, so two writers of several products never deadlock.
    list(
        Product.objects.filter(pk__in=product_ids)
        .order_by("pk")
        .select_for_update(no_key=True)
        .values_list("pk", flat=True)
    )


@transaction.atomic(savepoint=False)
def list_entries_refresh(*, product_ids: Iterable[int]) -> None:
    """Write the list entries of these products again from their rows (none for a product
    no longer on show)."""
    for chunk in _chunks(product_ids):
        _products_lock(chunk)
        ProductListEntry.objects.filter(product_id__in=chunk).delete()
        _insert(_browsing_rows(chunk))
        _insert(_channel_rows(chunk))


@transaction.atomic(savepoint=False)
def list_entries_rebuild() -> int:
    """Write every entry again; for loading a catalog in bulk (seeds, demo data, a repair)
    while nobody shops. Returns the number of entries written."""
    ProductListEntry.objects.all().delete()
    return _insert(_browsing_rows(None)) + _insert(_channel_rows(None))


@transaction.atomic(savepoint=False)
def list_entries_stock_recount(*, product_ids: Iterable[int]) -> None:
    """Work out again whether these products have free units."""
    for chunk in _chunks(product_ids):
        _products_lock(chunk)
        ProductListEntry.objects.filter(product_id__in=chunk).update(
            has_free_units=free_units_exist("product_id")
        )


def _stock_recount(stock_id: int) -> None:
    product_ids = Stock.objects.filter(pk=stock_id).values_list("variant__product_id", flat=True)
    list_entries_stock_recount(product_ids=list(product_ids))


def list_entries_stock_recount_on_commit(*, stock_id: int) -> None:
    """Recount the product of this stock row once the current transaction has committed.

    For the checkout's holds and releases: inside their transaction the recount would
    lock the product between two stock rows, and two checkouts taking stock rows of one
    product in turn could then wait for each other. A failure is logged, not raised: the
    order is already committed, and the sweep catches up.
    """

    def recount() -> None:
        _stock_recount(stock_id)

    # A named function, not a partial: a robust hook's failure is logged by its name.
    transaction.on_commit(recount, robust=True)


def list_entries_stock_sweep() -> int:
    """Recount every product whose ``has_free_units`` disagrees with its stock; returns how
    many there were."""
    # The browsing entry stands for all of a product's entries: every writer sets them
    # together, in one statement.
    stale = list(
        ProductListEntry.objects.filter(channel__isnull=True)
        .exclude(has_free_units=free_units_exist("product_id"))
        .values_list("product_id", flat=True)
    )
    if stale:
        logger.warning("list entries of %s products had a stale stock flag", len(stale))
        list_entries_stock_recount(product_ids=stale)
    return len(stale)
