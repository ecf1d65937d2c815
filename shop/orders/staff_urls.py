"""Staff order API, under /api/v1/staff/. (One order, its refunds and cancelling it are
routed with the payments: shop/payments/staff_urls.py.)"""

from django.urls import path

from shop.orders import staff_apis
from shop.orders.fapiao import apis as fapiao_apis

urlpatterns = [
    path("orders/", staff_apis.StaffOrderListApi.as_view(), name="staff-order-list"),
    path("fapiao/", fapiao_apis.StaffFapiaoListApi.as_view(), name="staff-fapiao-list"),
    path(
        "orders/<str:number>/fapiao/issue/",
        fapiao_apis.StaffFapiaoIssueApi.as_view(),
        name="staff-fapiao-issue",
    ),
    path(
        "orders/<str:number>/fapiao/file/",
        fapiao_apis.StaffFapiaoFileApi.as_view(),
        name="staff-fapiao-file",
    ),
]
