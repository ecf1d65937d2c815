"""The search scenarios of the benchmark (issue 21): what shoppers type, one and two
words in both languages, pinyin and English forms, and autocomplete as they type; the
search fields the seed writes for each product; the targets they must reach.

Registered with small changes elsewhere: ``bench/scenarios.py`` adds :func:`search_mixes`
to the catalog's request mixes, ``bench/seed/catalog.py`` writes
:func:`product_search_columns` and :func:`product_search_terms` with each product,
``bench/report.py`` adds :func:`search_checks` to the targets.
"""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import quote

SEARCH_P95_MS = 100
AUTOCOMPLETE_P95_MS = 30
TARGET_SIZE = "100000 products"
QUERIES = (
    "仙鹤",  # one word, Chinese
    "仙鹤团扇",  # two words, Chinese, no space
    "团扇 仙鹤",  # two words, order changed
    "團扇",  # traditional
    "crane",  # one word, English
    "round fans",  # two words, English, plural
    "tuanshan",  # pinyin
    "bookmarks",
)
PREFIXES = ("仙", "仙鹤", "xianhe", "cra", "round f", "书签")


def search_mixes() -> dict[str, list[str]]:
    """The search and autocomplete scenarios' paths (in the museum's web channel)."""
    return {
        "search": [f"/api/v1/products/?channel=museum-web&q={quote(q)}" for q in QUERIES],
        "autocomplete": [
            f"/api/v1/autocomplete/?channel=museum-web&q={quote(q)}" for q in PREFIXES
        ],
    }


def search_columns_prime() -> None:
    """Build the process's segmenter before a COPY streams rows (it reads the database)."""
    from catalog.search.dictionary import segmenter

    segmenter()


@functools.cache
def _name_lines(zh: str, en: str) -> tuple[str, tuple[str, ...]]:
    from catalog.search.index import names_searchable

    return names_searchable([zh, en])


def product_search_columns(
    base_zh: str, base_en: str, number: int, related: list[str]
) -> tuple[str, str]:
    """``search_name`` and ``search_related`` of a bench product named ``base number``: the
    searchable forms of the base names (worked out once per base), with the number."""
    lines, _words = _name_lines(base_zh, base_en)
    name = f"\n={base_zh}{number}\n={base_en.lower()} {number}{lines}{number}\n"
    related_lines = "".join(_name_lines(text, "")[0] for text in related)
    return name, related_lines


def product_search_terms(product_id: int, name_lines: str) -> list[tuple[int, str, bool]]:
    """The autocomplete rows (``catalog_searchterm``) of a product whose ``search_name`` is
    ``name_lines``, as ``catalog.search.index`` writes them."""
    from catalog.search.index import name_terms

    return [(product_id, term, whole) for term, whole in name_terms(name_lines)]


def search_checks(run: dict[str, Any]) -> list[dict[str, Any]]:
    """Uncached p95 at 100,000 products: search < 100 ms, autocomplete < 30 ms."""
    checks = []
    for scenario, limit in (("search", SEARCH_P95_MS), ("autocomplete", AUTOCOMPLETE_P95_MS)):
        row = next(
            (
                r
                for r in run["results"]
                if r["scenario"] == f"{scenario} (uncached)" and r["size"] == TARGET_SIZE
            ),
            {},
        )
        p95 = row.get("p95_ms")
        checks.append(
            {
                "section": "catalog",
                "target": f"{scenario} uncached at {TARGET_SIZE}: p95 < {limit} ms",
                "value": f"p95 {p95} ms",
                "ok": bool(row) and (p95 or 1e9) < limit and row["errors"] == 0,
            }
        )
    return checks
