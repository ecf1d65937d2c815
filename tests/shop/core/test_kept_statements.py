"""Statements compiled once and run again with new values (shop/core/kept_statements.py),
on every engine: the same rows as the queryset, keyed by the number of list members."""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection, transaction
from django.db.models import CharField, DateTimeField, F, IntegerField, Value
from django.db.models.sql.compiler import SQLCompiler
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from catalog.models import ProductChannelListing, ProductVariant
from shop.core.kept_statements import KeptComposition, KeptStatement, Slot, slots
from tests.factories.catalog import (
    ProductChannelListingFactory,
    ProductFactory,
    ProductVariantFactory,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)


def _variants(skus):
    """Variants with their products and a computed price, the shape placing reads."""
    return (
        ProductVariant.objects.select_related("product")
        .defer("options", "product__description_en")
        .filter(sku__in=skus)
        .annotate(doubled=F("price") * 2, label=Value("x", output_field=CharField()))
        .order_by("sku")
    )


def _seen(variants):
    return [
        (v.pk, v.sku, v.price, v.doubled, v.label, v.product.pk, v.product.name_zh, v._state.db)
        for v in variants
    ]


@functools.lru_cache(maxsize=8)
def _statement_for(count: int) -> KeptStatement[ProductVariant]:
    return KeptStatement(_variants(slots("sku", CharField(), count)))


@pytest.fixture
def variants():
    product = ProductFactory(name_zh="青花")
    return [
        ProductVariantFactory(product=product, sku=f"K-{n}", price=Decimal(f"{n}0.50"))
        for n in range(1, 5)
    ]


def test_a_kept_statement_gives_the_rows_of_its_queryset(variants):
    kept = KeptStatement(_variants(slots("sku", CharField(), 2)))
    for wanted in (["K-1", "K-3"], ["K-2", "K-4"], ["K-4", "NONE"]):
        assert _seen(kept.rows(sku=wanted)) == _seen(_variants(wanted))
    assert _seen(kept.rows(sku=["K-1", "K-3"]))[0][3] == Decimal("21.00")


def test_a_kept_statement_of_values_gives_their_dictionaries(variants):
    shape = _variants(slots("sku", CharField(), 1)).values("sku", "product__name_zh", "doubled")
    kept = KeptStatement(shape)
    assert kept.rows(sku=["K-2"]) == list(
        _variants(["K-2"]).values("sku", "product__name_zh", "doubled")
    )
    assert kept.rows(sku=["K-2"]) == [
        {"sku": "K-2", "product__name_zh": "青花", "doubled": Decimal("41.00")}
    ]


def test_lists_of_other_lengths_are_kept_apart(variants):
    for wanted in (["K-1"], ["K-1", "K-2"], ["K-2", "K-3", "K-4"], ["K-3"]):
        assert _seen(_statement_for(len(wanted)).rows(sku=wanted)) == _seen(_variants(wanted))
    with pytest.raises(ValueError, match="2 values wanted"):
        _statement_for(2).rows(sku=["K-1", "K-2", "K-3"])
    with pytest.raises(ValueError, match="2 values wanted"):
        _statement_for(2).rows(sku="K-1")


def test_values_must_match_the_slots(variants):
    kept = _statement_for(1)
    with pytest.raises(TypeError):
        kept.rows()
    with pytest.raises(TypeError):
        kept.rows(sku=["K-1"], other=1)
    with pytest.raises(ValueError, match="None"):
        kept.rows(sku=[None])


def test_it_is_compiled_once_per_connection_and_run_through_djangos_cursor(variants):
    kept = KeptStatement(_variants(slots("sku", CharField(), 1)))
    with (
        mock.patch.object(
            SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql
        ) as compiled,
        CaptureQueriesContext(connection) as queries,
    ):
        first, second = kept.rows(sku=["K-1"]), kept.rows(sku=["K-2"])
    assert [v.sku for v in first + second] == ["K-1", "K-2"]
    assert compiled.call_count == 1
    assert len(queries) == 2
    assert queries[0]["sql"].replace("K-1", "K-2") == queries[1]["sql"]


def test_a_moment_slot_compares_as_a_moment_would(variants):
    product = variants[0].product
    opened = ProductChannelListingFactory(product=product, available_from=NOW)
    ProductChannelListingFactory(product=product, available_from=NOW + dt.timedelta(days=1))
    moment = DateTimeField()
    kept = KeptStatement(
        ProductChannelListing.objects.filter(
            product=product, available_from__lte=Slot("now", moment)
        ).order_by("pk")
    )
    assert [listing.pk for listing in kept.rows(now=NOW - dt.timedelta(seconds=1))] == []
    assert [listing.pk for listing in kept.rows(now=NOW)] == [opened.pk]
    assert kept.rows(now=NOW)[0].available_from == NOW


@pytest.mark.django_db(transaction=True)
def test_a_locking_statement_runs_in_a_transaction_only(variants):
    kept = KeptStatement(
        ProductVariant.objects.filter(sku=Slot("sku", CharField())).select_for_update()
    )
    with transaction.atomic():
        assert [v.sku for v in kept.rows(sku="K-1")] == ["K-1"]
    if connection.features.has_select_for_update:
        with pytest.raises(TransactionManagementError):
            kept.rows(sku="K-1")


def test_a_statement_that_matches_nothing_reads_nothing(variants):
    kept = KeptStatement(ProductVariant.objects.filter(sku__in=[]))
    with CaptureQueriesContext(connection) as queries:
        assert kept.rows() == []
    assert len(queries) == 0


def test_what_cannot_be_kept_is_refused():
    with pytest.raises(ValueError):
        KeptStatement(ProductVariant.objects.values_list("sku"))
    with pytest.raises(ValueError):
        KeptStatement(ProductVariant.objects.prefetch_related("stocks"))


_EITHER = """
    SELECT found.sku FROM (
        SELECT * FROM ({later}) later UNION SELECT * FROM ({named}) named
    ) found
    ORDER BY found.sku LIMIT %s
"""


def _either() -> KeptComposition:
    """Variants from one SKU on, or of one SKU, each once, the first few by SKU: what the
    ORM cannot order and cut on SQLite as one statement."""
    text = CharField()
    later = ProductVariant.objects.filter(sku__gte=Slot("start", text)).values("sku")
    named = ProductVariant.objects.filter(sku=Slot("sku", text)).values("sku")
    return KeptComposition(
        _EITHER, {"later": later, "named": named}, [Slot("limit", IntegerField())]
    )


def test_a_composition_runs_its_parts_rules_with_new_values(variants):
    either = _either()
    assert either.rows(start="K-3", sku="K-1", limit=5) == [("K-1",), ("K-3",), ("K-4",)]
    assert either.rows(start="K-2", sku="K-3", limit=2) == [("K-2",), ("K-3",)]
    with pytest.raises(TypeError):
        either.rows(start="K-2", limit=2)


def test_a_composition_is_compiled_once_per_connection(variants):
    either = _either()
    with (
        mock.patch.object(
            SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql
        ) as compiled,
        CaptureQueriesContext(connection) as queries,
    ):
        either.rows(start="K-4", sku="K-1", limit=5)
        either.rows(start="K-4", sku="K-2", limit=5)
    assert compiled.call_count == 2  # its two parts, once
    assert len(queries) == 2


def test_compiling_leaves_the_kept_queryset_as_it_was(variants):
    """Threads of one process compile a shared statement each for its own connection:
    compiling must work on a copy (Django's compiler adds the joins of select_related to
    the query it compiles, and puts back counts it saved)."""
    shape = _variants(slots("sku", CharField(), 1))
    kept = KeptStatement(shape)
    aliases, refcount = list(shape.query.alias_map), dict(shape.query.alias_refcount)
    assert _seen(kept.rows(sku=["K-1"])) == _seen(_variants(["K-1"]))
    assert (list(shape.query.alias_map), dict(shape.query.alias_refcount)) == (aliases, refcount)


def test_first_gives_the_one_row_or_none(variants):
    kept = KeptStatement(ProductVariant.objects.filter(sku=Slot("sku", CharField())))
    assert kept.first(sku="K-2").sku == "K-2"
    assert kept.first(sku="NONE") is None


def test_get_gives_the_one_row_or_raises_as_a_queryset_does(variants):
    kept = KeptStatement(ProductVariant.objects.filter(sku=Slot("sku", CharField())))
    assert kept.get(sku="K-2").sku == "K-2"
    with pytest.raises(ProductVariant.DoesNotExist):
        kept.get(sku="NONE")
