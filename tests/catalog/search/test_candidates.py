"""Which products a search that found more than it counts ranks first (its candidates,
``catalog/search/queries.py``'s ``search_candidates_statement``): the whole name first,
then products with free units before sold-out ones matching as well, on both engines."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from catalog.models import Product
from catalog.search import product_search_text_refresh
from catalog.search.queries import Word, search_candidates_statement
from catalog.selectors import product_list
from tests.factories import (
    ProductFactory,
    ProductVariantFactory,
    SalesChannelFactory,
    StockFactory,
)
from tests.factories.catalog import ProductChannelListingFactory

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 12, 7, 12, tzinfo=datetime.UTC)


def _product(slug: str, name_en: str, *, free_units: int = 0, name_zh: str = "") -> Product:
    product = ProductFactory(slug=slug, name_zh=name_zh or f"瓶{slug}", name_en=name_en)
    variant = ProductVariantFactory(product=product)
    if free_units:
        StockFactory(variant=variant, quantity=free_units)
    product_search_text_refresh(product)
    return product


@pytest.fixture
def cranes(db):
    """Four sold-out crane vases (the oldest), two that can be bought, and a sold-out
    product named just "Crane" (the newest)."""
    ids: dict[str, Product] = {
        f"crane-vase-{n}": _product(f"crane-vase-{n}", "Crane Vase") for n in range(4)
    }
    for n in (4, 5):
        ids[f"crane-vase-{n}"] = _product(f"crane-vase-{n}", "Crane Vase", free_units=2)
    ids["crane"] = _product("crane", "Crane")
    return {slug: product.pk for slug, product in ids.items()}, ids


def test_a_capped_search_ranks_products_that_can_be_bought_before_sold_out_ones(
    cranes, monkeypatch
):
    monkeypatch.setattr("catalog.selectors.SEARCH_COUNT_MAX", 3)
    monkeypatch.setattr("catalog.search.filtering.CANDIDATES_MAX", 3)

    products = product_list(filters={"q": "crane"})

    # The whole name first (sold out, but the best match), then the two vases that can be
    # bought, though four sold-out vases matching as well are older; the rest by slug.
    assert (products.count(), products.count_capped) == (3, True)
    assert [product.slug for product in products[0:7]] == [
        "crane",
        "crane-vase-4",
        "crane-vase-5",
        "crane-vase-0",
        "crane-vase-1",
        "crane-vase-2",
        "crane-vase-3",
    ]
    assert [product.slug for product in products[0:3]] == ["crane", "crane-vase-4", "crane-vase-5"]


def test_a_capped_search_of_a_two_character_word_ranks_its_candidates_the_same_way(db, monkeypatch):
    # A word too short for trigrams (the characters index finds its products): the
    # ranked page reads its candidates by id, matched on the search text alone.
    for n in range(3):
        _product(f"vase-{n}", "Vase", name_zh="仙鹤 瓶")
    _product("vase-9", "Vase", name_zh="仙鹤 瓶", free_units=1)
    _product("plate", "Plate", name_zh="盘", free_units=1)
    monkeypatch.setattr("catalog.selectors.SEARCH_COUNT_MAX", 2)
    monkeypatch.setattr("catalog.search.filtering.CANDIDATES_MAX", 2)

    products = product_list(filters={"q": "仙鹤"})

    assert (products.count(), products.count_capped) == (2, True)
    assert [product.slug for product in products[0:4]] == ["vase-9", "vase-0", "vase-1", "vase-2"]
    assert [product.slug for product in products[1:3]] == ["vase-0", "vase-1"]


def test_the_candidates_of_two_words_hold_both(db, monkeypatch):
    # The oldest products hold "fan" only: taken as candidates, the page would drop them and
    # list the round fans by slug, the sold-out one first.
    for n in range(3):
        _product(f"folding-fan-{n}", "Folding Fan", free_units=1)
    _product("a-round-fan", "Round Fan Vase")
    _product("b-round-fan", "Round Fan Vase", free_units=1)
    _product("c-round-fan", "Round Fan Vase", free_units=1)
    monkeypatch.setattr("catalog.selectors.SEARCH_COUNT_MAX", 2)
    monkeypatch.setattr("catalog.search.filtering.CANDIDATES_MAX", 2)

    products = product_list(filters={"q": "round fans"})

    assert (products.count(), products.count_capped) == (2, True)
    assert [product.slug for product in products[0:3]] == [
        "b-round-fan",
        "c-round-fan",
        "a-round-fan",
    ]


def _word(*forms: str) -> Word:
    """A word of a query, read as a word of a name."""
    return Word(forms=forms, words=forms, names=())


def _candidates(
    whole: list[str],
    words: list[Word],
    *,
    channel_id: int | None = None,
    now: datetime.datetime = NOW,
    limit: int,
) -> list[int]:
    sql, params = search_candidates_statement(
        whole, words, channel_id=channel_id, now=now, limit=limit
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [product_id for (product_id,) in cursor.fetchall()]


def test_candidates_are_the_whole_name_then_free_units_then_sold_out(cranes):
    cranes = cranes[0]
    vases = [cranes[f"crane-vase-{n}"] for n in range(6)]
    words = [_word("crane"), _word("vase")]

    assert _candidates(["crane"], words, limit=3) == [cranes["crane"], vases[4], vases[5]]
    assert _candidates(["crane"], words, limit=4) == [cranes["crane"], vases[4], vases[5], vases[0]]
    # Every one once, though a vase holds both words.
    first = [cranes["crane"], vases[4], vases[5]]
    assert _candidates(["crane"], words, limit=20) == [*first, *vases[:4]]
    assert _candidates(["crane vase"], [_word("vase")], limit=2) == [vases[4], vases[5]]
    assert _candidates(["heron"], [_word("heron")], limit=3) == []


def test_a_kind_without_terms_reads_nothing_and_the_others_still_count(cranes):
    cranes = cranes[0]
    vases = [cranes[f"crane-vase-{n}"] for n in range(6)]

    assert _candidates([], [_word("vase")], limit=3) == [vases[4], vases[5], vases[0]]
    assert _candidates(["crane"], [], limit=3) == [cranes["crane"]]
    assert _candidates([], [], limit=3) == []


def test_candidates_are_those_on_show_in_the_channel(cranes):
    ids, products = cranes
    channel = SalesChannelFactory(code="museum-web", is_public=True)
    vases = [ids[f"crane-vase-{n}"] for n in range(6)]
    for n in (0, 1, 5):
        ProductChannelListingFactory(product=products[f"crane-vase-{n}"], channel=channel)
    ProductChannelListingFactory(
        product=products["crane-vase-4"],
        channel=channel,
        available_until=NOW - datetime.timedelta(days=1),
    )

    candidates = _candidates(["crane"], [_word("crane")], channel_id=channel.pk, limit=3)

    assert candidates == [vases[5], vases[0], vases[1]]


@pytest.mark.postgresql
def test_sold_out_candidates_are_not_read_when_the_others_fill_the_cut(cranes):
    sql, params = search_candidates_statement(
        ["crane"], [_word("crane")], channel_id=None, now=NOW, limit=2
    )
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) {sql}", params)
        plan = "\n".join(line for (line,) in cursor.fetchall())

    assert "One-Time Filter" in plan, plan
    assert "(never executed)" in plan, plan


def test_the_rarest_word_s_terms_are_read_and_probed_for_the_others(db):
    fans = [_product(f"fan-{n}", "Fan", free_units=1).pk for n in range(2)]
    fans += [_product(f"folding-fan-{n}", "Folding Fan", free_units=1).pk for n in range(3)]
    round_fans = [_product(f"round-fan-{n}", "Round Fan Vase", free_units=1).pk for n in range(2)]
    rounds = [_product("round-box", "Round Box", free_units=1).pk]
    fan = Word(forms=("fans", "fan"), words=("fans", "fan"), names=("fans", "fan"))
    round_ = Word(forms=("round",), words=("round",), names=("round",))

    # Either word first, the same products: those named by one word holding the other.
    assert _candidates(["round fans"], [round_, fan], limit=5) == round_fans
    assert _candidates(["round fans"], [fan, round_], limit=5) == round_fans
    # A word no name holds as a word is still asked of the texts ("vase" drives).
    vase = Word(forms=("vase",), words=("vase",), names=())
    assert _candidates([], [vase, fan], limit=5) == round_fans
    assert _candidates([], [fan], limit=3) == fans[:3]
    assert rounds


def test_the_entries_on_show_are_built_once_and_given_each_search_s_channel_and_moment(
    cranes, monkeypatch
):
    ids, products = cranes
    shop, museum = (SalesChannelFactory(code=code, is_public=True) for code in ("shop", "museum"))
    ProductChannelListingFactory(product=products["crane-vase-0"], channel=shop)
    ProductChannelListingFactory(
        product=products["crane-vase-5"],
        channel=museum,
        available_until=NOW + datetime.timedelta(days=1),
    )
    crane = [_word("crane")]
    assert _candidates(["crane"], crane, channel_id=shop.pk, limit=3) == [ids["crane-vase-0"]]

    def rebuilt(*args, **kwargs):
        raise AssertionError("the entries on show are built again for a search")

    # Kept compiled (catalog.search.queries._entry_statements): not built per search, yet
    # each search reads its own channel's entries at its own moment.
    monkeypatch.setattr("catalog.search.queries.entries_on_show", rebuilt)
    assert _candidates(["crane"], crane, channel_id=museum.pk, limit=3) == [ids["crane-vase-5"]]
    later = NOW + datetime.timedelta(days=2)
    assert _candidates(["crane"], crane, channel_id=museum.pk, now=later, limit=3) == []
    assert _candidates(["crane"], crane, channel_id=shop.pk, limit=3) == [ids["crane-vase-0"]]


@pytest.mark.postgresql
def test_the_sold_out_entries_of_a_channel_have_their_own_index(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = %s", ["list_entry_sold_out"]
        )
        (definition,) = cursor.fetchone()

    # The sold-out candidates' lookup reads the sold-out entries only (migration 0013),
    # not the channel's whole list_entry_newest.
    assert "(channel_id, product_id)" in definition, definition
    assert "WHERE (NOT has_free_units)" in definition, definition
