"""Staff payment API under /api/v1/staff/: the payments held for review and settling one,
and (development and the demo) settling a refund the offline fake provider kept pending.

Any staff member (``is_staff``) or superuser; others get 403.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.core.errors import InvalidInput
from shop.core.permissions import IsStaff
from shop.core.schema import ErrorSerializer
from shop.orders.staff_selectors import order_get_for_staff, orders_for_staff
from shop.payments.models import Payment, PaymentStatus, Refund
from shop.payments.review import REVIEW_DECISIONS, payment_review_resolve
from shop.payments.services import FAKE_REFUND_OUTCOMES, refund_fake_settle

_ERROR = ErrorSerializer


def _input(serializer_class: type[serializers.Serializer], data: object) -> dict:
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        raise InvalidInput(fields={k: [str(m) for m in v] for k, v in serializer.errors.items()})
    return dict(serializer.validated_data)


class StaffReviewPaymentSerializer(serializers.ModelSerializer):
    order_number = serializers.CharField(source="order.number")
    order_status = serializers.CharField(source="order.status")
    order_total = serializers.DecimalField(source="order.total", max_digits=12, decimal_places=2)

    class Meta:
        model = Payment
        fields = [
            "id",
            "order_number",
            "order_status",
            "order_total",
            "provider",
            "provider_reference",
            "status",
            "amount",
            "currency",
            "confirmed_status",
            "confirmed_amount",
            "confirmed_currency",
            "amount_refunded",
            "failure_code",
            "failure_message",
            "succeeded_at",
        ]


class StaffPaymentReviewListApi(APIView):
    """Payments held for review, oldest first."""

    permission_classes = [IsStaff]

    @extend_schema(
        responses={200: StaffReviewPaymentSerializer(many=True), 403: _ERROR},
        operation_id="staff_payment_review_list",
    )
    def get(self, request: Request) -> Response:
        held = (
            Payment.objects.filter(
                status=PaymentStatus.REVIEW, order__in=orders_for_staff(request.user)
            )
            .select_related("order")
            .order_by("succeeded_at", "pk")
        )
        return Response(StaffReviewPaymentSerializer(held, many=True).data)


class StaffPaymentReviewApi(APIView):
    """Accept a payment held for review (it pays the order only for the order's total in
    its currency, as the provider confirms it now; otherwise the money is returned), or
    return it (refunded in full, the unpaid order cancelled)."""

    permission_classes = [IsStaff]

    class InputSerializer(serializers.Serializer):
        decision = serializers.ChoiceField(choices=REVIEW_DECISIONS)
        note = serializers.CharField(max_length=255, allow_blank=True, default="")

    @extend_schema(
        request=InputSerializer,
        responses={
            200: StaffReviewPaymentSerializer,
            400: _ERROR,
            403: _ERROR,
            404: _ERROR,
            409: _ERROR,
            503: _ERROR,
        },
        operation_id="staff_payment_review_resolve",
    )
    def post(self, request: Request, payment_id: int) -> Response:
        number = (
            Payment.objects.filter(pk=payment_id).values_list("order__number", flat=True).first()
        )
        # Another partner's order does not exist for this staff member.
        order_get_for_staff(user=request.user, number=number or "", to_change=True)
        data = _input(self.InputSerializer, request.data)
        payment = payment_review_resolve(
            payment_id=payment_id,
            decision=data["decision"],
            user=request.user,
            note=data["note"],
        )
        return Response(StaffReviewPaymentSerializer(payment).data)


class FakeRefundSerializer(serializers.ModelSerializer):
    class Meta:
        model = Refund
        fields = ["id", "order", "payment", "amount", "currency", "status", "provider_reference"]


class FakeRefundSettleApi(APIView):
    """At the offline fake provider, a refund it kept pending succeeds or fails (staff, in
    development and the demo); the shop then reads it back as it would from Stripe."""

    permission_classes = [IsStaff]

    class InputSerializer(serializers.Serializer):
        outcome = serializers.ChoiceField(choices=FAKE_REFUND_OUTCOMES)

    @extend_schema(
        request=InputSerializer,
        responses={200: FakeRefundSerializer, 400: _ERROR, 403: _ERROR, 404: _ERROR, 409: _ERROR},
        operation_id="staff_refund_fake_settle",
    )
    def post(self, request: Request, reference: str) -> Response:
        data = _input(self.InputSerializer, request.data)
        refund = refund_fake_settle(reference=reference, outcome=data["outcome"])
        return Response(FakeRefundSerializer(refund).data)
