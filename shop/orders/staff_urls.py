"""Staff order API, under /api/v1/staff/."""

from django.urls import path

from shop.orders import staff_apis

urlpatterns = [
    path("orders/", staff_apis.StaffOrderListApi.as_view(), name="staff-order-list"),
    path(
        "orders/<str:number>/", staff_apis.StaffOrderDetailApi.as_view(), name="staff-order-detail"
    ),
    path(
        "orders/<str:number>/refunds/",
        staff_apis.StaffOrderRefundApi.as_view(),
        name="staff-order-refund",
    ),
    path(
        "orders/<str:number>/cancel/",
        staff_apis.StaffOrderCancelApi.as_view(),
        name="staff-order-cancel",
    ),
]
