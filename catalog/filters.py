"""Query-string filters for the public product list.

The filter set only narrows and orders a queryset that :func:`catalog.selectors.product_list`
has already limited to what the shopper may see (and annotated with ``price_from`` and
``quantity_available``). Which channel the request is for is not a filter here: the API
resolves it from the storefront key or ``?channel=<code>`` and hands it to the selector.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet

from catalog.models import Product, ProductVariant, Tag
from shop.core.i18n import EN, ZH

ORDERING_CHOICES = [
    ("slug", "slug"),
    ("name", "name"),
    ("-name", "-name"),
    ("price", "price"),
    ("-price", "-price"),
    ("newest", "newest"),
]
BOOLEAN_CHOICES = [("true", "true"), ("false", "false")]
SEARCH_MAX_LENGTH = 100
PRICE_MAX = Decimal("9999999999.99")
SEARCH_MAX_TERMS = 8


def _search_condition(term: str) -> Q:
    """One search term, matched case-insensitively anywhere a shopper would look.

    The denormalized ``search_text`` blob is the fast path; the direct lookups keep the
    search right for products whose blob has not been refreshed yet.
    """
    lowered = term.lower()
    tag_match = Tag.objects.filter(products=OuterRef("pk")).filter(
        Q(name_zh__icontains=term) | Q(name_en__icontains=term) | Q(slug__icontains=term)
    )
    variant_match = ProductVariant.objects.filter(
        product=OuterRef("pk"), is_active=True, sku__icontains=term
    )
    return (
        Q(search_text__contains=lowered)
        | Q(name_zh__icontains=term)
        | Q(name_en__icontains=term)
        | Q(description_zh__icontains=term)
        | Q(description_en__icontains=term)
        | Q(relic__name_zh__icontains=term)
        | Q(relic__name_en__icontains=term)
        | Exists(tag_match)
        | Exists(variant_match)
    )


def search_terms(text: str) -> list[str]:
    return text.split()[:SEARCH_MAX_TERMS]


class PriceFilter(django_filters.NumberFilter):
    """A price in yuan; its own ``max_value`` replaces the generic number cap."""

    def get_max_validator(self) -> None:
        return None


class ProductFilterForm(forms.Form):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        low, high = cleaned.get("price_min"), cleaned.get("price_max")
        if low is not None and high is not None and low > high:
            self.add_error("price_max", "Must be greater than or equal to price_min.")
        return cleaned


class ProductFilter(django_filters.FilterSet):
    collection = django_filters.CharFilter(
        field_name="collection__slug", max_length=80, help_text="Collection slug."
    )
    tag = django_filters.CharFilter(method="filter_tag", max_length=60, help_text="Tag slug.")
    price_min = PriceFilter(
        field_name="price_from",
        lookup_expr="gte",
        min_value=Decimal("0"),
        max_value=PRICE_MAX,
        max_digits=12,
        decimal_places=2,
        help_text="Lowest variant price (in the channel, if one is given) at least this.",
    )
    price_max = PriceFilter(
        field_name="price_from",
        lookup_expr="lte",
        min_value=Decimal("0"),
        max_value=PRICE_MAX,
        max_digits=12,
        decimal_places=2,
        help_text="Lowest variant price (in the channel, if one is given) at most this.",
    )
    in_stock = django_filters.ChoiceFilter(
        choices=BOOLEAN_CHOICES,
        method="filter_in_stock",
        help_text="true: some active variant has free units; false: none has.",
    )
    q = django_filters.CharFilter(
        method="filter_search",
        max_length=SEARCH_MAX_LENGTH,
        help_text="Words to find in names, descriptions, tags, SKUs and relic names.",
    )
    ordering = django_filters.ChoiceFilter(
        choices=ORDERING_CHOICES, method="filter_ordering", help_text="Default: slug."
    )

    class Meta:
        model = Product
        fields = ["collection", "tag", "price_min", "price_max", "in_stock", "q", "ordering"]
        form = ProductFilterForm

    def __init__(self, *args: Any, lang: str = ZH, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lang = lang if lang in (ZH, EN) else ZH

    def filter_tag(self, queryset: QuerySet[Product], name: str, value: str) -> QuerySet[Product]:
        return queryset.filter(Exists(Tag.objects.filter(products=OuterRef("pk"), slug=value)))

    def filter_in_stock(
        self, queryset: QuerySet[Product], name: str, value: str
    ) -> QuerySet[Product]:
        if value == "true":
            return queryset.filter(Q(quantity_available__gt=0))
        return queryset.filter(Q(quantity_available__lte=0))

    def filter_search(
        self, queryset: QuerySet[Product], name: str, value: str
    ) -> QuerySet[Product]:
        for term in search_terms(value):
            queryset = queryset.filter(_search_condition(term))
        return queryset

    def filter_ordering(
        self, queryset: QuerySet[Product], name: str, value: str
    ) -> QuerySet[Product]:
        # The ordering itself is applied in ``qs`` so the default also applies when absent.
        return queryset

    @property
    def qs(self) -> QuerySet[Product]:
        queryset = super().qs
        ordering = self.form.cleaned_data.get("ordering") or "slug"
        name_field = f"name_{self.lang}"
        order_by = {
            "slug": ["slug"],
            "name": [name_field, "slug"],
            "-name": [f"-{name_field}", "slug"],
            "price": ["price_from", "slug"],
            "-price": ["-price_from", "slug"],
            "newest": ["-created_at", "slug"],
        }[ordering]
        return queryset.order_by(*order_by)
