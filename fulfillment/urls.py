"""Shopper fulfilment API, under /api/v1/."""

from django.urls import path

from fulfillment import apis

urlpatterns = [
    path(
        "orders/<str:number>/tracking/",
        apis.OrderTrackingApi.as_view(),
        name="order-tracking",
    ),
    path(
        "orders/<str:number>/returns/",
        apis.OrderReturnListCreateApi.as_view(),
        name="order-returns",
    ),
]
