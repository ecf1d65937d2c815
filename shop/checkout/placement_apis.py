"""Placing an order: from a cart, or in one request ("buy now"), with its payment started
in the same request when one is asked for. The list of the signed-in shopper's orders
shares the address of buying now."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from shop.channels.selectors import channel_from_request
from shop.checkout.apis import (
    CHANNEL_PARAMETERS,
    ERRORS,
    CartLineInputSerializer,
    CheckoutDetailsInputSerializer,
    _CartApi,
    cart_for_request,
)
from shop.checkout.cart_build import LineWanted
from shop.checkout.details import CheckoutDetails
from shop.checkout.placement import Placed, order_buy_now, order_place
from shop.core.i18n import language_from_request
from shop.core.pagination import PagePagination
from shop.core.schema import ErrorSerializer, error_responses
from shop.core.throttling import ShopScopedRateThrottle, client_address
from shop.core.validation import validated
from shop.orders.errors import IdempotencyKeyRequired
from shop.orders.fapiao.serializers import FapiaoInputSerializer
from shop.orders.fapiao.services import FapiaoTitle, fapiao_request
from shop.orders.selectors import order_list_for_user
from shop.orders.serializers import OrderOutputSerializer, order_output
from shop.payments.models import PaymentProvider
from shop.payments.providers.base import PaymentOptions
from shop.payments.serializers import ShopperPaymentSerializer, payment_output
from shop.payments.services import PAYMENT_SCENES, PAYMENT_SCENES_HELP


class OrderPlacedOutputSerializer(OrderOutputSerializer):
    payment = ShopperPaymentSerializer(
        allow_null=True,
        help_text="The order's payment, when the request asked for one with payment_provider.",
    )
    payment_error = ErrorSerializer(
        required=False,
        help_text="Why the payment asked for could not start now; the order stays placed "
        "and is paid later through its payments.",
    )


IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=True,
    description="Any unique string per order attempt; a retry of the same request with "
    "the same key returns the same order, any other request with it answers 409 "
    "idempotency_key_reused.",
)


def _idempotency_key(request: Request) -> str | None:
    """The request's Idempotency-Key, or None when it is missing or longer than 100."""
    key = request.META.get("HTTP_IDEMPOTENCY_KEY", "").strip()
    return key if 0 < len(key) <= 100 else None


def fapiao_title_checked(data: dict[str, Any]) -> FapiaoTitle | None:
    """The fapiao asked for with the order, checked before anything is placed."""
    if not data.get("fapiao"):
        return None
    return FapiaoInputSerializer.title_of(data["fapiao"]).checked("fapiao.")


def _fapiao_with(placed: Placed, fapiao: FapiaoTitle | None, user: Any) -> None:
    """Store the fapiao request with the order just placed (a retry of the same
    Idempotency-Key answers with the order and its request as they are)."""
    if fapiao is not None and placed.created:
        fapiao_request(order=placed.order, title=fapiao, user=user)


def _placed_answer(request: Request, placed: Placed) -> Response:
    body = order_output(placed.order, language_from_request(request), include_contact=True)
    body["payment"] = None if placed.payment is None else payment_output(placed.payment)
    if placed.payment_error is not None:
        body["payment_error"] = placed.payment_error.as_dict()
    return Response(body, status=201 if placed.created else 200)


class PaymentAskedSerializer(serializers.Serializer):
    """The payment started with the order, as the payments API starts it."""

    payment_provider = serializers.ChoiceField(
        choices=PaymentProvider.choices,
        required=False,
        help_text="Start paying the order with this provider in the same request.",
    )
    payment_scene = serializers.ChoiceField(
        choices=PAYMENT_SCENES,
        required=False,
        help_text=PAYMENT_SCENES_HELP,
    )
    payment_openid = serializers.CharField(
        max_length=128, required=False, help_text="The payer's WeChat openid (jsapi)."
    )


def payment_options_of(request: Request, data: dict[str, Any]) -> PaymentOptions:
    return PaymentOptions(
        scene=data.get("payment_scene", ""),
        openid=data.get("payment_openid", ""),
        client_ip=client_address(request),
    )


class OrderPlaceApi(_CartApi):
    """Place the order: holds the stock for the payment. Needs an ``Idempotency-Key``.
    With ``payment_provider`` the payment starts in the same request."""

    throttle_scope = "checkout"

    class InputSerializer(PaymentAskedSerializer):
        fapiao = FapiaoInputSerializer(
            required=False, help_text="Ask for an electronic fapiao with the order."
        )

    @extend_schema(
        request=InputSerializer,
        parameters=[*CHANNEL_PARAMETERS, IDEMPOTENCY_KEY_PARAMETER],
        responses={
            201: OrderPlacedOutputSerializer,
            200: OpenApiResponse(OrderPlacedOutputSerializer, description="The same key's order"),
            **ERRORS,
        },
        operation_id="order_place",
    )
    def post(self, request: Request, token: Any) -> Response:
        key = _idempotency_key(request)
        data: dict[str, Any] = {}
        if request.data:
            data = validated(self.InputSerializer, request.data)
        provider = data.get("payment_provider")
        fapiao = fapiao_title_checked(data)
        # Placing reads the lines and the checkout details itself, under the cart's lock.
        cart = cart_for_request(request, token, with_lines=False, with_checkout=False).cart
        if key is None:
            raise IdempotencyKeyRequired()
        placed = order_place(
            cart=cart,
            idempotency_key=key,
            user=request.user,
            payment_provider=provider,
            payment_options=payment_options_of(request, data),
        )
        _fapiao_with(placed, fapiao, request.user)
        return _placed_answer(request, placed)


class OrdersApi(APIView):
    """``GET``: the signed-in shopper's orders. ``POST``: buy now, the whole checkout in
    one request: the lines and checkout details a new cart would take, placed as an order
    at once, with its payment started when ``payment_provider`` is sent. Needs an
    ``Idempotency-Key``; a retry with the same key answers with the same order (200)."""

    throttle_scope = "checkout"

    class InputSerializer(CheckoutDetailsInputSerializer, PaymentAskedSerializer):
        lines = CartLineInputSerializer(many=True, allow_empty=False)
        fapiao = FapiaoInputSerializer(
            required=False, help_text="Ask for an electronic fapiao with the order."
        )

    pagination_class = PagePagination  # so the schema shows the page, not a bare list

    def get_permissions(self) -> Any:
        if self.request.method == "POST":
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_throttles(self) -> list[BaseThrottle]:
        if self.request.method == "POST":
            return [ShopScopedRateThrottle()]
        return list(super().get_throttles())

    @extend_schema(
        responses={200: OrderOutputSerializer(many=True), **error_responses(401, 404)},
        operation_id="my_order_list",
    )
    def get(self, request: Request) -> Response:
        paginator = PagePagination()
        page = paginator.paginate_queryset(order_list_for_user(request.user), request, view=self)
        lang = language_from_request(request)
        data = [order_output(o, lang, include_contact=True) for o in page or []]
        return paginator.get_paginated_response(data)

    @extend_schema(
        request=InputSerializer,
        parameters=[*CHANNEL_PARAMETERS, IDEMPOTENCY_KEY_PARAMETER],
        responses={
            201: OrderPlacedOutputSerializer,
            200: OpenApiResponse(OrderPlacedOutputSerializer, description="The same key's order"),
            **ERRORS,
        },
        operation_id="order_buy_now",
    )
    def post(self, request: Request) -> Response:
        channel = channel_from_request(request)
        assert channel is not None
        key = _idempotency_key(request)
        if key is None:
            raise IdempotencyKeyRequired()
        data = validated(self.InputSerializer, request.data)
        fapiao = fapiao_title_checked(data)
        placed = order_buy_now(
            channel=channel,
            idempotency_key=key,
            user=request.user,
            language=language_from_request(request),
            lines=[LineWanted(**line) for line in data["lines"]],
            payment_provider=data.get("payment_provider"),
            details=CheckoutDetails.from_input(data, request.user),
            payment_options=payment_options_of(request, data),
        )
        _fapiao_with(placed, fapiao, request.user)
        return _placed_answer(request, placed)
