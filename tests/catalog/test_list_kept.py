"""The list's count and pages without search as kept statements (catalog.list_kept)."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.db.models.sql.compiler import SQLCompiler

from catalog.list_cursor import ListCursor
from catalog.list_kept import KeptList
from catalog.selectors import product_list
from tests.factories import (
    CollectionFactory,
    ProductChannelListingFactory,
    SalesChannelFactory,
    TagFactory,
)
from tests.factories import product_with_variant as make_product

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2025, 3, 1, 12, 0, tzinfo=datetime.UTC)

FILTERS = [
    {},
    {"collection": "blossoms"},
    {"tag": "gift", "ordering": "-price"},
    {"price_min": "30", "price_max": "250", "ordering": "name"},
    {"in_stock": "true", "ordering": "newest"},
    {"in_stock": "false", "collection": "blossoms", "ordering": "price"},
]


def _catalog() -> int:
    channel = SalesChannelFactory()
    blossoms = CollectionFactory(slug="blossoms")
    gift = TagFactory(slug="gift")
    for n in range(12):
        product = make_product(
            slug=f"p-{n:02d}",
            price=f"{10 + 25 * (n % 5)}.00",
            quantity=n % 3,
            collection=blossoms if n % 2 else None,
        )
        if n % 3 == 0:
            product.tags.add(gift)
        if n % 4:
            ProductChannelListingFactory(product=product, channel=channel)
    return channel.pk


@pytest.mark.parametrize("browsing", [True, False])
@pytest.mark.parametrize("filters", FILTERS)
def test_a_kept_list_reads_what_its_entries_built_per_request_hold(filters, browsing):
    channel = _catalog()
    channel_id = None if browsing else channel
    products = product_list(filters=filters, channel_id=channel_id, now=NOW)
    assert products.kept is not None
    entries = products.entries  # the queryset the list built before it was kept
    wanted = list(entries.values_list("slug", flat=True))

    assert products.count() == len(wanted)
    assert [card.slug for card in products[0:3]] == wanted[:3]
    assert [card.slug for card in products[2:5]] == wanted[2:5]
    if wanted:
        first = products[0:1][0]
        after = ListCursor(fields=products.keyset_fields, key=first.sort_key)
        cards, more = products.keyset_page(after, 3)
        assert [card.slug for card in cards] == wanted[1:4]
        assert more == (len(wanted) > 4)
        last = products[len(wanted) - 1 : len(wanted)][0]
        before = ListCursor(fields=products.keyset_fields, key=last.sort_key, before=True)
        cards, more = products.keyset_page(before, 2)
        assert [card.slug for card in cards] == wanted[-3:-1]


def test_a_list_of_a_kept_shape_with_other_values_compiles_no_statement():
    channel_id = _catalog()
    first = product_list(
        filters={"collection": "blossoms", "price_min": "20"}, channel_id=channel_id
    )
    assert [card.slug for card in first[0:20]]
    assert first.count()
    with mock.patch.object(SQLCompiler, "as_sql", autospec=True, wraps=SQLCompiler.as_sql) as sql:
        other = product_list(
            filters={"collection": "none", "price_min": "5"}, channel_id=channel_id
        )
        assert other.count() == 0
        other = product_list(
            filters={"collection": "blossoms", "price_min": "35"}, channel_id=channel_id
        )
        slugs = [card.slug for card in other[0:20]]
    assert sql.call_count == 0
    assert slugs and len(slugs) == other.count()


def test_a_search_is_not_kept():
    _catalog()
    assert product_list(filters={"q": "p"}).kept is None


def test_only_pages_with_both_bounds_are_kept():
    assert KeptList.keeps(slice(0, 20))
    assert KeptList.keeps(slice(8000, 8020))  # a deep page by number too
    assert not KeptList.keeps(slice(5, None))  # open-ended: all that follows
    assert not KeptList.keeps(slice(0, 20, 2))
    assert not KeptList.keeps(slice(3, 3))


def test_an_open_ended_or_deep_slice_of_a_kept_list_holds_every_product_after_it():
    _catalog()
    products = product_list(filters={}, now=NOW)
    wanted = list(products.entries.values_list("slug", flat=True))
    assert len(wanted) == 12
    assert [card.slug for card in products[4:]] == wanted[4:]
    assert [card.slug for card in products] == wanted
    assert [card.slug for card in products[11:12]] == wanted[11:12]
