"""Autocomplete's kept statements (catalog/search/queries.py), on both engines."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from catalog.list_entries import list_entries_refresh
from catalog.models import Collection, ProductChannelListing, Relic
from catalog.search import queries
from catalog.search.queries import named_versions, product_suggestion_rows
from catalog.search.suggestions import suggestions_for
from catalog.selectors import product_list
from tests.factories import SalesChannelFactory
from tests.factories.catalog import ProductChannelListingFactory

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 12, 7, 12, tzinfo=datetime.UTC)


def rows(prefix: str, *, lang: str = "zh", channel_id: int | None = None) -> list[tuple]:
    return product_suggestion_rows(prefix, lang=lang, channel_id=channel_id, now=NOW, limit=8)


def test_suggestions_start_with_the_name_then_the_shortest_then_by_slug(searchable):
    assert rows("团扇") == [("plain-round-fan", "团扇"), ("crane-round-fan", "仙鹤团扇")]
    assert rows("round f", lang="en") == [
        ("plain-round-fan", "Round Fan"),
        ("crane-round-fan", "Crane Round Fan"),
    ]
    assert rows("xht") == [("crane-round-fan", "仙鹤团扇")]
    assert rows("%_") == []
    assert rows("qqq") == []


def test_suggestions_are_the_first_candidates_on_show_in_the_channel(searchable, monkeypatch):
    channel = SalesChannelFactory(code="museum-web", is_public=True)
    crane, plain = searchable["crane-round-fan"], searchable["plain-round-fan"]
    ProductChannelListingFactory(product=plain, channel=channel)
    ProductChannelListingFactory(
        product=crane, channel=channel, available_until=NOW - datetime.timedelta(days=1)
    )
    # One candidate of each kind: the first word "fan" (crane-round-fan's, the oldest) is
    # off sale in the channel, so the channel's own first candidate is taken instead.
    monkeypatch.setattr(queries, "CANDIDATES_PER_KIND", 1)

    assert rows("fan", lang="en", channel_id=channel.pk) == [("plain-round-fan", "Round Fan")]
    assert rows("仙鹤", channel_id=channel.pk) == []
    assert rows("仙鹤") == [("crane-round-fan", "仙鹤团扇")]  # browsing without a channel


def test_an_answer_is_two_statements_and_compiles_nothing(
    searchable, monkeypatch, django_assert_num_queries
):
    channel = SalesChannelFactory(code="museum-web", is_public=True)
    suggestions_for("仙", lang="zh", channel_id=channel.pk, now=NOW)  # compiled, names kept

    def compiled(*args, **kwargs):
        raise AssertionError("a statement compiled for an answer")

    monkeypatch.setattr(SQLCompiler, "as_sql", compiled)
    for text in ("xianhe", "round f"):
        # The products, then the collections' and relics' versions.
        with django_assert_num_queries(2):
            suggestions_for(text, lang="zh", channel_id=channel.pk, now=NOW)


HOUR = datetime.timedelta(hours=1)
# A listing's window as staff set it, one after the other, and whether it is open at NOW.
WINDOWS = [
    (NOW + HOUR, None, False),
    (None, None, True),
    (NOW, None, True),  # opens at this moment
    (None, NOW, False),  # closes at this moment
    (NOW - HOUR, None, True),
    (NOW - 2 * HOUR, NOW - HOUR, False),
    (None, NOW + HOUR, True),
]


def test_a_window_change_the_list_sees_autocomplete_sees(searchable):
    """Autocomplete reads the list's own rule (``catalog.offers.entry_on_show``): each
    time staff move a listing's window, the product is suggested exactly when the product
    list shows it, opening and closing at the same moment."""
    channel = SalesChannelFactory(code="museum-web", is_public=True)
    plain = searchable["plain-round-fan"]
    listing = ProductChannelListingFactory(product=plain, channel=channel)
    seen = []
    for available_from, available_until, _ in WINDOWS:
        ProductChannelListing.objects.filter(pk=listing.pk).update(
            available_from=available_from, available_until=available_until
        )
        list_entries_refresh(product_ids=[plain.pk])
        listed = "plain-round-fan" in [
            card.slug for card in product_list(channel_id=channel.pk, now=NOW)
        ]
        suggested = ("plain-round-fan", "团扇") in rows("团扇", channel_id=channel.pk)
        seen.append((listed, suggested))

    assert seen == [(on_show, on_show) for *_, on_show in WINDOWS]


def test_the_collections_and_relics_versions_change_with_their_rows(searchable):
    before = named_versions()
    assert before["Collection"][0] == 3
    assert before["Relic"][0] == 3

    Collection.objects.filter(slug="glory").update(is_active=False)
    Relic.objects.filter(slug="relic-crane").update(updated_at=timezone.now())

    after = named_versions()
    assert after["Collection"][0] == 2
    assert after["Relic"] != before["Relic"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's indexes")
@pytest.mark.parametrize("prefix", ["仙", "round f", "xianhe"])
def test_each_kind_of_candidates_is_one_range_of_the_name_terms_index(searchable, prefix):
    asked = []
    with connection.execute_wrapper(
        lambda execute, sql, params, *rest: (
            asked.append((sql, params)) or execute(sql, params, *rest)
        )
    ):
        rows(prefix)
    [(sql, params)] = asked
    with connection.cursor() as cursor:
        # Few rows in a test table: ask whether the index can serve the ranges in order
        # at all (a sort or another scan is then costed as a last resort).
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert plan.count("Index Only Scan using catalog_searchterm_prefix") == 2, plan
    # Only the suggestions are sorted; each range's candidates come in the index's order.
    assert plan.count("Sort  (cost") == 1, plan
