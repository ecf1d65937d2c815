"""Shopper order API: one order, a guest's order by number and e-mail, cancel. (The list of
my orders shares its address with buying now: shop/checkout/placement_apis.py.)"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.core.i18n import language_from_request
from shop.core.schema import error_responses
from shop.core.throttling import ShopScopedRateThrottle
from shop.orders.numbers import NUMBER_MAX_LENGTH
from shop.orders.selectors import order_get_for_shopper, order_reload
from shop.orders.serializers import OrderOutputSerializer, order_output
from shop.orders.services import order_cancel_unpaid


class OrderDetailApi(APIView):
    """The signed-in owner's order."""

    @extend_schema(
        responses={200: OrderOutputSerializer, **error_responses(404)},
        operation_id="my_order_get",
    )
    def get(self, request: Request, number: str) -> Response:
        order = order_get_for_shopper(number=number, user=request.user)
        return Response(order_output(order, language_from_request(request), include_contact=True))


class GuestOrderLookupApi(APIView):
    """A guest follows an order by its number and the e-mail it was placed with."""

    # With the limit per order number (shop.orders.guest_access), keeps e-mails and
    # numbers from being guessed.
    throttle_classes = [ShopScopedRateThrottle]
    throttle_scope = "order_access"

    class InputSerializer(serializers.Serializer):
        number = serializers.CharField(max_length=NUMBER_MAX_LENGTH)
        email = serializers.EmailField(max_length=254)

    @extend_schema(
        request=InputSerializer,
        responses={200: OrderOutputSerializer, **error_responses(400, 404)},
        operation_id="guest_order_lookup",
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = order_get_for_shopper(user=request.user, **serializer.validated_data)
        return Response(order_output(order, language_from_request(request), include_contact=True))


class OrderCancelApi(APIView):
    """Cancel an order that is not paid yet; its stock is released at once."""

    throttle_classes = [ShopScopedRateThrottle]
    throttle_scope = "order_access"

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254, required=False)

    @extend_schema(
        request=InputSerializer,
        responses={200: OrderOutputSerializer, **error_responses(400, 404, 409)},
        operation_id="order_cancel",
    )
    def post(self, request: Request, number: str) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = order_get_for_shopper(
            number=number, user=request.user, email=serializer.validated_data.get("email", "")
        )
        order_cancel_unpaid(order=order, user=request.user, reason="cancelled by the shopper")
        order = order_reload(order)
        return Response(order_output(order, language_from_request(request), include_contact=True))
