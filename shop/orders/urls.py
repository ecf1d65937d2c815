from django.urls import path

from shop.orders import apis
from shop.orders.fapiao import apis as fapiao_apis

# "orders/" itself (my orders, and buying now) is routed with the checkout's placing.
urlpatterns = [
    path("orders/lookup/", apis.GuestOrderLookupApi.as_view(), name="order-lookup"),
    path("orders/<str:number>/", apis.OrderDetailApi.as_view(), name="order-detail"),
    path("orders/<str:number>/cancel/", apis.OrderCancelApi.as_view(), name="order-cancel"),
    path("orders/<str:number>/fapiao/", fapiao_apis.OrderFapiaoApi.as_view(), name="order-fapiao"),
    path(
        "orders/<str:number>/fapiao/file/",
        fapiao_apis.OrderFapiaoFileApi.as_view(),
        name="order-fapiao-file",
    ),
]
