"""Staff payment API, under /api/v1/staff/."""

from django.urls import path

from shop.payments import staff_apis

urlpatterns = [
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
