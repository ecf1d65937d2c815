"""Staff payment API, and staff's view of one order with its payments, under /api/v1/staff/."""

from django.urls import path

from shop.payments import staff_apis, staff_order_apis

urlpatterns = [
    path(
        "orders/<str:number>/",
        staff_order_apis.StaffOrderDetailApi.as_view(),
        name="staff-order-detail",
    ),
    path(
        "orders/<str:number>/refunds/",
        staff_order_apis.StaffOrderRefundApi.as_view(),
        name="staff-order-refund",
    ),
    path(
        "orders/<str:number>/cancel/",
        staff_order_apis.StaffOrderCancelApi.as_view(),
        name="staff-order-cancel",
    ),
    path(
        "payments/review/",
        staff_apis.StaffPaymentReviewListApi.as_view(),
        name="staff-payment-review-list",
    ),
    path(
        "payments/<int:payment_id>/review/",
        staff_apis.StaffPaymentReviewApi.as_view(),
        name="staff-payment-review",
    ),
    path(
        "payments/fake/refunds/<str:reference>/settle/",
        staff_apis.FakeRefundSettleApi.as_view(),
        name="staff-refund-fake-settle",
    ),
]
