"""The older query that finds products by one search word (in its searchable form);
the product list no longer uses it (it matches on ``search_text`` alone, filtering.py).

The word is looked for in the product's search text (:mod:`catalog.search.index`), and
also in the name and description fields directly, so a product whose text is stale is
still found by those; tags, SKUs and collection names need the refresh.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import BooleanField, F, Func, Q, QuerySet, TextField, Value
from django.db.models.functions import Upper

from catalog.models import Product, ProductVariant, Relic, Tag

# pg_trgm finds a word by its runs of three characters; a shorter word has none.
TRIGRAM = 3


class Characters(Func):
    """The characters of a text, as an array (PostgreSQL)."""

    function = "string_to_array"
    template = "%(function)s(%(expressions)s, NULL)"
    output_field = TextField()


class ProductCharacters(Func):
    """The characters of every text a product's row is searched in (PostgreSQL): the
    expression of the GIN index ``catalog_product_search_characters`` (migration 0003)."""

    function = "catalog_product_search_characters"
    output_field = TextField()

    def __init__(self, prefix: str = "") -> None:
        fields = ("search_text", "name_zh", "name_en", "description_zh", "description_en")
        super().__init__(*(F(f"{prefix}{field}") for field in fields))


class HoldsAll(Func):
    """The left array holds every element of the right one (PostgreSQL's ``@>``)."""

    arg_joiner = " @> "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def few_characters(term: str) -> bool:
    return connection.vendor == "postgresql" and len(term) < TRIGRAM


def product_ids_matching(term: str) -> QuerySet[Any]:
    """The ids of the products one search word finds, case-insensitively: in their search
    text, names or descriptions, in the names of their relic or of a tag (or the tag's
    slug), or in the SKU of an active variant.

    One query per table, joined by UNION ALL, so that PostgreSQL answers each from its
    own indexes (migration 0003) and visits only the rows found, where one condition
    over all tables had to test every product of the catalog. A word too short for the
    trigram indexes is narrowed down by the characters it holds first; the conditions
    below then decide on the rows so found.
    """
    lowered = term.lower()
    # One query for every text of the product's row, so each product found is read once.
    products = Product.objects.filter(
        Q(search_text__contains=lowered)
        | Q(name_zh__icontains=term)
        | Q(name_en__icontains=term)
        | Q(description_zh__icontains=term)
        | Q(description_en__icontains=term)
    )
    variants = ProductVariant.objects.filter(is_active=True, sku__icontains=term)
    if few_characters(term):
        # The search text is compared with the lower-cased word, the other texts with
        # the upper-cased one: a row found holds all the characters of one of the two.
        products = products.filter(
            HoldsAll(ProductCharacters(), Characters(Value(lowered)))
            | HoldsAll(ProductCharacters(), Characters(Upper(Value(term))))
        )
        variants = variants.filter(
            HoldsAll(Characters(Upper("sku")), Characters(Upper(Value(term))))
        )
    relics = Relic.objects.filter(Q(name_zh__icontains=term) | Q(name_en__icontains=term))
    tags = Tag.objects.filter(
        Q(name_zh__icontains=term) | Q(name_en__icontains=term) | Q(slug__icontains=term)
    )
    return (
        products.order_by()
        .values("pk")
        .union(
            Product.objects.filter(relic__in=relics).order_by().values("pk"),
            Product.tags.through.objects.filter(tag__in=tags).order_by().values("product_id"),
            variants.order_by().values("product_id"),
            all=True,
        )
    )
