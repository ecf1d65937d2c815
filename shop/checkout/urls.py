from django.urls import path

from shop.checkout import apis, placement_apis

urlpatterns = [
    path("carts/", apis.CartCreateApi.as_view(), name="cart-create"),
    path("carts/<uuid:token>/", apis.CartDetailApi.as_view(), name="cart-detail"),
    path("carts/<uuid:token>/lines/", apis.CartLineAddApi.as_view(), name="cart-line-add"),
    path("carts/<uuid:token>/lines/<int:line_id>/", apis.CartLineApi.as_view(), name="cart-line"),
    path("carts/<uuid:token>/checkout/", apis.CheckoutApi.as_view(), name="checkout"),
    path(
        "carts/<uuid:token>/shipping-methods/",
        apis.ShippingMethodListApi.as_view(),
        name="checkout-shipping-methods",
    ),
    path("carts/<uuid:token>/order/", placement_apis.OrderPlaceApi.as_view(), name="order-place"),
    # Listing my orders (GET) and buying now (POST) share the address of the orders.
    path("orders/", placement_apis.OrdersApi.as_view(), name="order-list"),
]
