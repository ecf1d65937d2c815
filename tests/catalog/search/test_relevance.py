"""Relevance: what shoppers type (simplified, traditional, pinyin, English, typos, any word
order, no spaces) and the products that must come first, in that order. Runs on both
engines; the queries that always worked (tests/catalog/search/test_matching.py) still do."""

from __future__ import annotations

import pytest

from catalog.selectors import product_list

pytestmark = pytest.mark.django_db

# (query, the slugs the results must start with, in order)
QUERIES: list[tuple[str, list[str]]] = [
    # simplified Chinese: a name, a word of it, words out of order, no spaces
    ("仙鹤团扇", ["crane-round-fan"]),
    ("仙鹤", ["crane-round-fan"]),
    ("团扇", ["plain-round-fan", "crane-round-fan"]),  # the exact name first
    ("仙鹤扇", ["crane-round-fan"]),  # not contiguous in the name
    ("团扇仙鹤", ["crane-round-fan"]),  # word order
    ("仙鹤 团扇", ["crane-round-fan"]),
    ("福字折扇", ["fu-folding-fan"]),
    ("折扇福字", ["fu-folding-fan"]),
    ("福字", ["fu-brass-bookmark", "fu-folding-fan", "stele-rubbing-scroll"]),  # name, relic
    ("福字碑", ["fu-brass-bookmark", "fu-folding-fan", "stele-rubbing-scroll"]),
    ("书签", ["fu-brass-bookmark"]),
    ("黄铜书签", ["fu-brass-bookmark"]),
    ("茉莉花茶", ["palace-jasmine-tea"]),
    ("王府茉莉", ["palace-jasmine-tea"]),
    ("茶具", ["wisteria-tea-set"]),
    ("藤萝茶具", ["wisteria-tea-set"]),
    ("冰箱贴", ["opera-mask-magnets"]),
    ("脸谱", ["opera-mask-magnets"]),
    ("香囊", ["brocade-sachet"]),
    ("抱枕", ["hundred-bats-cushion"]),
    ("小夜灯", ["xiyang-gate-night-light"]),
    ("拼图", ["palace-panorama-jigsaw"]),
    ("印章", ["study-seal"]),
    ("篆刻", ["study-seal"]),  # only in the description
    ("围巾", ["dragon-pattern-scarf"]),
    ("方巾", ["butterfly-silk-square"]),
    ("青花", ["lotus-mug", "a-lotus-teacup"]),  # in stock before sold out
    ("莲纹茶杯", ["a-lotus-teacup"]),
    ("蟒袍", ["dragon-pattern-scarf"]),  # the relic
    ("智慧之花", ["fu-brass-bookmark", "fu-folding-fan", "stele-rubbing-scroll"]),  # collection
    ("丝绸", ["brocade-sachet", "dragon-pattern-scarf"]),  # a tag
    # synonyms staff keep
    ("扇子", ["crane-round-fan", "fu-folding-fan", "plain-round-fan"]),  # equal: by slug
    ("丝巾", ["butterfly-silk-square", "dragon-pattern-scarf"]),
    ("杯子", ["lotus-mug", "a-lotus-teacup"]),
    ("靠枕", ["hundred-bats-cushion"]),
    # traditional characters
    ("龍紋", ["dragon-pattern-scarf"]),
    ("絲巾", ["butterfly-silk-square", "dragon-pattern-scarf"]),
    ("團扇", ["plain-round-fan", "crane-round-fan"]),
    ("仙鶴團扇", ["crane-round-fan"]),
    ("書簽", ["fu-brass-bookmark"]),
    ("茶具套裝", ["wisteria-tea-set"]),
    ("錦緞香囊", ["brocade-sachet"]),
    # pinyin, full and initials
    ("tuanshan", ["plain-round-fan", "crane-round-fan"]),
    ("xianhetuanshan", ["crane-round-fan"]),
    ("xianhe", ["crane-round-fan"]),
    ("shanzi", ["crane-round-fan", "fu-folding-fan", "plain-round-fan"]),  # equal: by slug
    ("shuqian", ["fu-brass-bookmark"]),
    ("molihuacha", ["palace-jasmine-tea"]),
    ("xymxyd", ["xiyang-gate-night-light"]),
    ("xhts", ["crane-round-fan"]),
    ("xianghe tuanshan", ["crane-round-fan"]),  # a near miss in pinyin
    ("tuanshang", ["plain-round-fan", "crane-round-fan"]),
    # English: plurals and other forms, word order, case
    ("fan", ["crane-round-fan", "fu-folding-fan", "plain-round-fan"]),  # equal: by slug
    ("fans", ["crane-round-fan", "fu-folding-fan", "plain-round-fan"]),  # equal: by slug
    ("scarves", ["dragon-pattern-scarf"]),
    ("Scarf", ["dragon-pattern-scarf"]),
    ("round fan", ["plain-round-fan", "crane-round-fan"]),
    ("fan round", ["crane-round-fan", "plain-round-fan"]),  # not the exact name
    ("crane fan", ["crane-round-fan"]),
    ("bookmarks", ["fu-brass-bookmark"]),
    ("magnet", ["opera-mask-magnets"]),
    ("jasmine", ["palace-jasmine-tea"]),
    ("CUSHIONS", ["hundred-bats-cushion"]),
    ("stele", ["stele-rubbing-scroll", "fu-brass-bookmark", "fu-folding-fan"]),
    ("night lights", ["xiyang-gate-night-light"]),
    # typos of one or two letters
    ("teh", ["palace-jasmine-tea"]),
    ("cushon", ["hundred-bats-cushion"]),
    ("jasmnie", ["palace-jasmine-tea"]),
    ("brocadd sachet", ["brocade-sachet"]),
    ("bookmrk", ["fu-brass-bookmark"]),
    # mixed scripts
    ("福字 fan", ["fu-folding-fan"]),
]


def first_found(text: str, count: int) -> list[str]:
    return [product.slug for product in product_list(filters={"q": text})[:count]]


def test_every_query_finds_what_must_come_first(searchable):
    assert len(QUERIES) >= 60
    wrong = {}
    for text, expected in QUERIES:
        got = first_found(text, len(expected))
        if got != expected:
            wrong[text] = (got, expected)
    assert not wrong, "\n".join(f"{q}: got {g}, want {w}" for q, (g, w) in wrong.items())


def test_a_correction_says_what_it_searched_for(searchable):
    found = product_list(filters={"q": "teh"})
    assert found.did_you_mean == "tea"
    assert product_list(filters={"q": "tea"}).did_you_mean is None
    assert product_list(filters={"q": "zzzqqq"}).count() == 0


def test_ranking_is_stable_and_explicit_ordering_still_wins(searchable):
    ranked = [p.slug for p in product_list(filters={"q": "fan"})]
    assert ranked == [p.slug for p in product_list(filters={"q": "fan"})]
    by_slug = [p.slug for p in product_list(filters={"q": "fan", "ordering": "slug"})]
    assert by_slug == sorted(ranked)
