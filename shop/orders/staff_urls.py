"""Staff order API, under /api/v1/staff/. (One order, its refunds and cancelling it are
routed with the payments: shop/payments/staff_urls.py.)"""

from django.urls import path

from shop.orders import staff_apis

urlpatterns = [
    path("orders/", staff_apis.StaffOrderListApi.as_view(), name="staff-order-list"),
]
