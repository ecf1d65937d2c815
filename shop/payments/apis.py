"""Shopper payment API (with the offline fake provider's confirmation) and the Stripe webhook."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import FormParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.core.errors import InvalidInput
from shop.core.schema import ErrorSerializer
from shop.core.throttling import ShopScopedRateThrottle, client_address
from shop.core.validation import validated
from shop.payments.models import PaymentProvider
from shop.payments.notifications import alipay_notify_receive, wechatpay_notify_receive
from shop.payments.providers.base import PaymentOptions
from shop.payments.selectors import order_for_payer_get, payment_for_payer_get
from shop.payments.serializers import ShopperPaymentSerializer, payment_output
from shop.payments.services import (
    FAKE_OUTCOMES,
    PAYMENT_SCENES,
    PAYMENT_SCENES_HELP,
    channel_payment_provider,
    payment_fake_complete,
    payment_start,
)
from shop.payments.webhooks import stripe_webhook_receive

_ERROR = ErrorSerializer


def _valid(serializer_class: type[serializers.Serializer], data: object) -> dict:
    try:
        return validated(serializer_class, data)
    except serializers.ValidationError as exc:
        errors = exc.detail if isinstance(exc.detail, dict) else {}
        raise InvalidInput(fields={k: [str(m) for m in v] for k, v in errors.items()}) from None


class PaymentStartApi(APIView):
    """Start paying an order: the order's signed-in shopper, or a guest with its e-mail."""

    permission_classes = [AllowAny]
    # Also keeps anyone from guessing order e-mails by trying many.
    throttle_classes = [ShopScopedRateThrottle]
    throttle_scope = "checkout"

    class InputSerializer(serializers.Serializer):
        provider = serializers.ChoiceField(choices=PaymentProvider.choices, required=False)
        email = serializers.EmailField(required=False)
        scene = serializers.ChoiceField(
            choices=PAYMENT_SCENES,
            required=False,
            help_text=PAYMENT_SCENES_HELP,
        )
        openid = serializers.CharField(
            max_length=128, required=False, help_text="The payer's WeChat openid (jsapi)."
        )

    @extend_schema(
        request=InputSerializer,
        responses={
            201: ShopperPaymentSerializer,
            400: _ERROR,
            404: _ERROR,
            409: _ERROR,
            502: _ERROR,
            503: _ERROR,
        },
        operation_id="order_payment_start",
    )
    def post(self, request: Request, number: str) -> Response:
        data = _valid(self.InputSerializer, request.data)
        order = order_for_payer_get(number=number, user=request.user, email=data.get("email"))
        options = PaymentOptions(
            scene=data.get("scene", ""),
            openid=data.get("openid", ""),
            client_ip=client_address(request),
        )
        payment = payment_start(
            order=order,
            provider=data.get("provider") or channel_payment_provider(order),
            user=request.user,
            options=options,
        )
        return Response(payment_output(payment), status=201)


class FakePaymentConfirmApi(APIView):
    """Confirm or decline a payment at the offline fake provider (development and demo).
    ``amount`` and ``currency`` play a payment that brought in something else than asked
    (it is then held for staff review); ``refunds_wait`` makes the charge's refunds stay
    pending until settled with the fake's refund API, as Alipay's do."""

    permission_classes = [AllowAny]
    # Also keeps anyone from guessing order e-mails by trying many.
    throttle_classes = [ShopScopedRateThrottle]
    throttle_scope = "checkout"

    class InputSerializer(serializers.Serializer):
        outcome = serializers.ChoiceField(choices=FAKE_OUTCOMES)
        email = serializers.EmailField(required=False)
        amount = serializers.DecimalField(
            max_digits=12, decimal_places=2, min_value=Decimal("0.01"), required=False
        )
        currency = serializers.RegexField(r"^[A-Za-z]{3}$", required=False)
        refunds_wait = serializers.BooleanField(required=False, default=False)

    @extend_schema(
        request=InputSerializer,
        responses={200: ShopperPaymentSerializer, 400: _ERROR, 404: _ERROR, 409: _ERROR},
        operation_id="payment_fake_confirm",
    )
    def post(self, request: Request, payment_id: int) -> Response:
        data = _valid(self.InputSerializer, request.data)
        payment = payment_for_payer_get(
            payment_id=payment_id, user=request.user, email=data.get("email")
        )
        payment = payment_fake_complete(
            payment=payment,
            outcome=data["outcome"],
            amount=data.get("amount"),
            currency=data.get("currency"),
            refunds_wait=data["refunds_wait"],
        )
        return Response(payment_output(payment))


class StripeWebhookApi(APIView):
    """Stripe's events, signed with the endpoint secret over the raw body."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses={
            200: inline_serializer(
                "StripeWebhookReceived",
                fields={
                    "received": serializers.BooleanField(),
                    "duplicate": serializers.BooleanField(),
                },
            ),
            400: _ERROR,
            503: _ERROR,
        },
        operation_id="payment_stripe_webhook",
    )
    def post(self, request: Request) -> Response:
        # The body is read raw, never parsed first: the signature covers its exact bytes.
        result = stripe_webhook_receive(
            payload=request.body, signature=request.META.get("HTTP_STRIPE_SIGNATURE", "")
        )
        return Response({"received": True, "duplicate": result.duplicate})


class WeChatPayNotifyApi(APIView):
    """WeChat Pay's notifications (payments and refunds), signed by the platform and
    encrypted with the API v3 key; answered 204 once taken (WeChat Pay's success)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses={204: None, 400: _ERROR, 503: _ERROR},
        operation_id="payment_wechatpay_notify",
    )
    def post(self, request: Request) -> Response:
        wechatpay_notify_receive(headers=request.META, body=request.body)
        return Response(status=204)


class AlipayNotifyApi(APIView):
    """Alipay's asynchronous notifications, form-encoded and signed with RSA2; answered
    with the text ``success`` Alipay waits for."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [FormParser]

    @extend_schema(
        request={"application/x-www-form-urlencoded": OpenApiTypes.OBJECT},
        responses={(200, "text/plain"): OpenApiTypes.STR, 400: _ERROR, 503: _ERROR},
        operation_id="payment_alipay_notify",
    )
    def post(self, request: Request) -> HttpResponse:
        form = {key: str(request.POST.get(key, "")) for key in request.POST}
        alipay_notify_receive(form=form)
        return HttpResponse("success", content_type="text/plain")
