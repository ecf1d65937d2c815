from django.urls import path

from shop.carts import apis as carts_apis
from shop.orders import apis

urlpatterns = [
    path("orders/", carts_apis.OrdersApi.as_view(), name="order-list"),
    path("orders/lookup/", apis.GuestOrderLookupApi.as_view(), name="order-lookup"),
    path("orders/<str:number>/", apis.OrderDetailApi.as_view(), name="order-detail"),
    path("orders/<str:number>/cancel/", apis.OrderCancelApi.as_view(), name="order-cancel"),
]
