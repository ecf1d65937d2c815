"""Django admin for the catalog: collections, relics, tags, products and variants (the
warehouses, stock and movements are in :mod:`catalog.stock.admin`).

Who may do what follows catalog.permissions, not Django's per-model permissions: every
staff user may look, partner staff and superusers edit the shared catalog.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

# Registers the CSV imports with the admin site too.
from catalog.csv import admin as csv_admin  # noqa: F401
from catalog.images.admin import PREVIEW_WIDTH, ProductImageInline
from catalog.list_entries import list_entries_refresh
from catalog.models import (
    Collection,
    Product,
    ProductChannelListing,
    ProductVariant,
    Relic,
    Stock,
    Tag,
    VariantChannelPrice,
)
from catalog.permissions import (
    stocks_visible_to,
    user_can_edit_catalog,
    user_is_staff,
)
from catalog.product_overview import (
    first_picture,
    price_range_text,
    prices_table,
    products_with_overview,
    stock_table,
    stock_text,
    thumbnail_html,
)

# Registers the search synonyms with the admin site too.
from catalog.search import admin as search_admin  # noqa: F401
from catalog.search import product_search_text_refresh, products_of_refresh
from catalog.stock import admin as stock_admin  # noqa: F401
from shop.core.history_admin import HistoryAdmin


class SearchNamesMixin:
    """A relic's, collection's or tag's name is searched in its products: saving one
    refreshes their search texts (and the search's dictionary)."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        products_of_refresh(obj)


class CatalogEditorMixin:
    """Every staff user looks; superusers and partner staff edit; only superusers delete."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return user_is_staff(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return user_is_staff(request.user)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return user_can_edit_catalog(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return user_can_edit_catalog(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)


@admin.register(Collection)
class CollectionAdmin(SearchNamesMixin, CatalogEditorMixin, admin.ModelAdmin):
    list_display = ["slug", "name_zh", "name_en", "position", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["slug", "name_zh", "name_en"]
    prepopulated_fields = {"slug": ["name_en"]}


@admin.register(Relic)
class RelicAdmin(SearchNamesMixin, CatalogEditorMixin, admin.ModelAdmin):
    list_display = ["slug", "name_zh", "name_en", "period_en", "museum_number"]
    search_fields = ["slug", "name_zh", "name_en", "museum_number"]
    prepopulated_fields = {"slug": ["name_en"]}
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Tag)
class TagAdmin(SearchNamesMixin, CatalogEditorMixin, admin.ModelAdmin):
    list_display = ["slug", "name_zh", "name_en"]
    search_fields = ["slug", "name_zh", "name_en"]


class LimitedEditionFilter(admin.SimpleListFilter):
    title = _("limited edition")
    parameter_name = "limited"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Limited edition")), ("no", _("Open edition"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(edition_size__isnull=False)
        if self.value() == "no":
            return queryset.filter(edition_size__isnull=True)
        return queryset


class VariantInline(CatalogEditorMixin, admin.TabularInline):
    model = ProductVariant
    fields = ["sku", "name_zh", "name_en", "price", "weight_grams", "position", "is_active"]
    extra = 0
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProductVariant]:
        return super().get_queryset(request).select_related("product")


class ImageInline(CatalogEditorMixin, ProductImageInline):
    pass


class ChannelListingInline(CatalogEditorMixin, admin.TabularInline):
    model = ProductChannelListing
    fields = ["channel", "is_published", "available_from", "available_until"]
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProductChannelListing]:
        return super().get_queryset(request).select_related("product", "channel")


@admin.register(Product)
class ProductAdmin(CatalogEditorMixin, admin.ModelAdmin):
    list_display = [
        "thumbnail",
        "slug",
        "name_zh",
        "name_en",
        "collection",
        "price_range",
        "stock_free",
        "edition_size",
        "is_active",
    ]
    list_display_links = ["slug"]
    list_filter = ["collection", "is_active", LimitedEditionFilter]
    list_select_related = ["collection"]
    search_fields = ["slug", "name_zh", "name_en", "variants__sku"]
    filter_horizontal = ["tags"]
    readonly_fields = [
        "picture",
        "prices",
        "stock",
        "search_text",
        "created_at",
        "updated_at",
    ]
    inlines = [VariantInline, ImageInline, ChannelListingInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Product]:
        return products_with_overview(super().get_queryset(request), request.user)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = [f for f in super().get_fields(request, obj) if f not in self.overview]
        return [*self.overview, *fields] if obj is not None else fields

    overview = ("picture", "prices", "stock")

    @admin.display(description=_("picture"))
    def thumbnail(self, product: Product) -> str:
        return thumbnail_html(first_picture(product))

    @admin.display(description=_("picture"))
    def picture(self, product: Product) -> str:
        return thumbnail_html(first_picture(product), width=PREVIEW_WIDTH)

    @admin.display(description=_("price"), ordering="price_min")
    def price_range(self, product: Product) -> str:
        return price_range_text(product)

    @admin.display(description=_("stock"), ordering="units_free")
    def stock_free(self, product: Product) -> str:
        return stock_text(product)

    @admin.display(description=_("prices"))
    def prices(self, product: Product) -> str:
        return prices_table(product)

    @admin.display(description=_("stock per warehouse"))
    def stock(self, product: Product) -> str:
        return stock_table(product, getattr(product, "viewer", None))

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        product = super().get_object(request, object_id, from_field)
        if product is not None:
            product.viewer = request.user  # the stock table shows the warehouses they see
        return product

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        product_search_text_refresh(form.instance)
        list_entries_refresh(product_ids=[form.instance.pk])


class ChannelPriceInline(CatalogEditorMixin, admin.TabularInline):
    model = VariantChannelPrice
    fields = ["channel", "price"]
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[VariantChannelPrice]:
        return super().get_queryset(request).select_related("variant__product", "channel")


class StockReadOnlyInline(admin.TabularInline):
    """Stock per warehouse, to read; changes go through the stock page."""

    model = Stock
    fields = ["warehouse", "quantity", "quantity_reserved", "low_stock_threshold"]
    readonly_fields = ["warehouse", "quantity", "quantity_reserved", "low_stock_threshold"]
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Stock]:
        stocks = super().get_queryset(request).select_related("variant__product", "warehouse")
        return stocks_visible_to(request.user, stocks)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return user_is_staff(request.user)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ProductVariant)
class ProductVariantAdmin(CatalogEditorMixin, HistoryAdmin):
    list_display = ["sku", "product", "name_en", "price", "is_active"]
    list_filter = ["is_active", "product__collection"]
    list_select_related = ["product"]
    search_fields = ["sku", "name_zh", "name_en", "product__name_zh", "product__name_en"]
    inlines = [ChannelPriceInline, StockReadOnlyInline]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        product_search_text_refresh(form.instance.product)
        # A variant moved to another product leaves the first one's price and stock too.
        moved_from = form.initial.get("product") if change else None
        list_entries_refresh(product_ids={form.instance.product_id, moved_from} - {None})

    def delete_model(self, request: HttpRequest, obj: ProductVariant) -> None:
        super().delete_model(request, obj)
        list_entries_refresh(product_ids=[obj.product_id])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ProductVariant]) -> None:
        product_ids = set(queryset.values_list("product_id", flat=True))
        super().delete_queryset(request, queryset)
        list_entries_refresh(product_ids=product_ids)


@admin.register(VariantChannelPrice)
class VariantChannelPriceAdmin(CatalogEditorMixin, HistoryAdmin):
    """Channel prices are edited on their variant's page; here each has its history."""

    list_display = ["variant", "channel", "price"]
    list_filter = ["channel"]
    list_select_related = ["variant__product", "channel"]
    search_fields = ["variant__sku"]
