"""Public catalog API."""

from django.urls import path

from catalog import apis

urlpatterns = [
    path("collections/", apis.CollectionListApi.as_view(), name="catalog-collection-list"),
    path(
        "collections/<slug:slug>/",
        apis.CollectionDetailApi.as_view(),
        name="catalog-collection-detail",
    ),
    path("autocomplete/", apis.AutocompleteApi.as_view(), name="catalog-autocomplete"),
    path("products/", apis.ProductListApi.as_view(), name="catalog-product-list"),
    path("products/<slug:slug>/", apis.ProductDetailApi.as_view(), name="catalog-product-detail"),
]
