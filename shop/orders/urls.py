from django.urls import path

from shop.orders import apis

# "orders/" itself (my orders, and buying now) is routed with the checkout's placing.
urlpatterns = [
    path("orders/lookup/", apis.GuestOrderLookupApi.as_view(), name="order-lookup"),
    path("orders/<str:number>/", apis.OrderDetailApi.as_view(), name="order-detail"),
    path("orders/<str:number>/cancel/", apis.OrderCancelApi.as_view(), name="order-cancel"),
]
