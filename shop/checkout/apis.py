"""Shopper cart and checkout API. A cart lives in the channel that created it. (Placing the
order, from a cart or in one request: shop/checkout/placement_apis.py.)"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.carts.models import Cart
from shop.carts.selectors import (
    CartRead,
    cart_get,
    cart_lines_load,
    cart_lines_set,
    variant_for_sku,
)
from shop.carts.services import cart_create, cart_line_remove
from shop.channels.selectors import channel_from_request
from shop.checkout.cart_build import LineWanted, checkout_create
from shop.checkout.cart_lines import cart_line_add, cart_line_quantity_set
from shop.checkout.cart_pricing import cart_priced_lines, cart_totals
from shop.checkout.details import CheckoutDetails, checkout_update, shipping_methods_for
from shop.checkout.errors import VariantNotFound
from shop.checkout.pricing import shipping_price
from shop.checkout.serializers import AddressSerializer
from shop.core.i18n import language_from_request, pick
from shop.core.schema import error_responses
from shop.core.throttling import ShopScopedRateThrottle
from shop.core.validation import validated

CHANNEL_PARAMETERS = [
    OpenApiParameter(
        "X-Channel-Key",
        str,
        OpenApiParameter.HEADER,
        required=False,
        description="The storefront's channel key.",
    ),
    OpenApiParameter(
        "channel",
        str,
        OpenApiParameter.QUERY,
        required=False,
        description="Channel code, for public storefronts such as the museum's web shop.",
    ),
]


ERRORS = error_responses(400, 401, 403, 404, 409, 429)


class CartLineOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sku = serializers.CharField()
    product_slug = serializers.CharField()
    product_name = serializers.CharField()
    variant_name = serializers.CharField()
    quantity = serializers.IntegerField()
    personalisation = serializers.CharField()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    line_total = serializers.DecimalField(max_digits=12, decimal_places=2)


class ShippingMethodOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    price = serializers.DecimalField(max_digits=12, decimal_places=2)
    free_above = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)


class TotalsSerializer(serializers.Serializer):
    currency = serializers.CharField()
    subtotal = serializers.DecimalField(max_digits=12, decimal_places=2)
    shipping = serializers.DecimalField(max_digits=12, decimal_places=2)
    discount = serializers.DecimalField(max_digits=12, decimal_places=2)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)


class CartOutputSerializer(serializers.Serializer):
    token = serializers.UUIDField()
    channel = serializers.CharField()
    status = serializers.CharField()
    email = serializers.CharField()
    phone = serializers.CharField()
    shipping_address = serializers.DictField()
    shipping_method = ShippingMethodOutputSerializer(allow_null=True)
    voucher_code = serializers.CharField(allow_null=True)
    note = serializers.CharField()
    lines = CartLineOutputSerializer(many=True)
    totals = TotalsSerializer()


def cart_output(cart: Cart, lang: str, *, prices: dict[int, Any] | None = None) -> dict[str, Any]:
    priced = cart_priced_lines(cart, prices=prices)
    totals = cart_totals(cart, priced)
    method = cart.shipping_method
    return {
        "token": str(cart.token),
        "channel": cart.channel.code,
        "status": cart.status,
        "email": cart.email,
        "phone": cart.phone,
        "shipping_address": cart.shipping_address,
        "shipping_method": (
            {
                "code": method.code,
                "name": pick(method, "name", lang),
                "price": str(totals.shipping),
                "free_above": str(method.free_above) if method.free_above is not None else None,
            }
            if method
            else None
        ),
        "voucher_code": cart.voucher.code if cart.voucher else None,
        "note": cart.note,
        "lines": [
            {
                "id": p.line.pk,
                "sku": p.line.variant.sku,
                "product_slug": p.line.variant.product.slug,
                "product_name": pick(p.line.variant.product, "name", lang),
                "variant_name": pick(p.line.variant, "name", lang),
                "quantity": p.line.quantity,
                "personalisation": p.line.personalisation,
                "unit_price": str(p.unit_price),
                "line_total": str(p.line_total),
            }
            for p in priced
        ],
        "totals": {
            "currency": "CNY",
            "subtotal": str(totals.subtotal),
            "shipping": str(totals.shipping),
            "discount": str(totals.discount),
            "total": str(totals.total),
        },
    }


def cart_for_request(
    request: Request,
    token: Any,
    *,
    with_lines: bool = True,
    with_checkout: bool = True,
) -> CartRead:
    """The cart, if it belongs to the request's channel and (when it has one) its user."""
    channel = channel_from_request(request)
    assert channel is not None
    return cart_get(
        token=token,
        channel=channel,
        user=request.user,
        with_lines=with_lines,
        with_checkout=with_checkout,
    )


class _CartApi(APIView):
    throttle_classes = [ShopScopedRateThrottle]
    throttle_scope = "cart"

    def respond(self, request: Request, read: CartRead, status: int = 200) -> Response:
        """Answer with the cart as just read with its lines (by cart_for_request), nothing
        having changed it since."""
        body = cart_output(read.cart, language_from_request(request), prices=read.prices)
        return Response(body, status=status)

    def throttle_also(self, request: Request, scope: str) -> None:
        """Count this request against a second scope too (429 when it is used up)."""
        throttle = ShopScopedRateThrottle()
        if not throttle.allow_request(request, SimpleNamespace(throttle_scope=scope)):
            self.throttled(request, throttle.wait())

    def respond_lines_changed(self, request: Request, cart: Cart, status: int = 200) -> Response:
        """Answer with ``cart`` as it is (read with its channel, shipping method and
        voucher, by cart_for_request or a service), reading only its lines again."""
        read = cart_lines_load(cart)
        body = cart_output(cart, language_from_request(request), prices=read.prices)
        return Response(body, status=status)


class CartLineInputSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=64)
    quantity = serializers.IntegerField(min_value=1, max_value=999)
    personalisation = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )


class CheckoutDetailsInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254, required=False)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    shipping_address = AddressSerializer(required=False)
    saved_address = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="One of the signed-in shopper's saved addresses (GET /me/addresses/), "
        "instead of shipping_address.",
    )
    shipping_method = serializers.SlugField(max_length=40, required=False)
    voucher_code = serializers.CharField(max_length=40, required=False, allow_blank=True)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class CartCreateApi(_CartApi):
    """A new cart; with lines and checkout details when they are sent (a storefront's
    "buy now"): all of them are checked, and nothing is stored unless all pass."""

    class InputSerializer(CheckoutDetailsInputSerializer):
        lines = CartLineInputSerializer(many=True, required=False)

    @extend_schema(
        request=InputSerializer,
        parameters=CHANNEL_PARAMETERS,
        responses={201: CartOutputSerializer, **ERRORS},
        operation_id="cart_create",
    )
    def post(self, request: Request) -> Response:
        channel = channel_from_request(request)
        assert channel is not None
        lang = language_from_request(request)
        if not request.data:
            cart = cart_create(channel=channel, user=request.user, language=lang)
            # A new cart has no lines, shipping method or voucher yet: nothing to read back.
            cart_lines_set(cart, [])
            return self.respond(request, CartRead(cart=cart, prices={}), status=201)
        data = validated(self.InputSerializer, request.data)
        if data.get("voucher_code"):
            # Vouchers are guessed at the checkout's rate, however they are sent.
            self.throttle_also(request, "checkout")
        created = checkout_create(
            channel=channel,
            user=request.user,
            language=lang,
            lines=[LineWanted(**line) for line in data.get("lines", [])],
            details=CheckoutDetails.from_input(data, request.user),
        )
        return Response(cart_output(created.cart, lang, prices=created.prices), status=201)


class CartDetailApi(_CartApi):
    @extend_schema(
        parameters=CHANNEL_PARAMETERS,
        responses={200: CartOutputSerializer, **ERRORS},
        operation_id="cart_get",
    )
    def get(self, request: Request, token: Any) -> Response:
        return self.respond(request, cart_for_request(request, token))


class CartLineAddApi(_CartApi):
    class InputSerializer(CartLineInputSerializer):
        pass

    @extend_schema(
        request=InputSerializer,
        parameters=CHANNEL_PARAMETERS,
        responses={201: CartOutputSerializer, **ERRORS},
        operation_id="cart_line_add",
    )
    def post(self, request: Request, token: Any) -> Response:
        # The lines are read by the service, under the cart's lock.
        cart = cart_for_request(request, token, with_lines=False).cart
        data = validated(self.InputSerializer, request.data)
        variant = variant_for_sku(data["sku"])
        if variant is None:
            raise VariantNotFound(fields={"sku": [_("Unknown SKU.")]})
        added = cart_line_add(
            cart=cart,
            variant=variant,
            quantity=data["quantity"],
            personalisation=data["personalisation"],
        )
        body = cart_output(added.cart, language_from_request(request), prices=added.prices)
        return Response(body, status=201)


class CartLineApi(_CartApi):
    class InputSerializer(serializers.Serializer):
        quantity = serializers.IntegerField(min_value=0, max_value=999)

    @extend_schema(
        request=InputSerializer,
        parameters=CHANNEL_PARAMETERS,
        responses={200: CartOutputSerializer, **ERRORS},
        operation_id="cart_line_update",
    )
    def patch(self, request: Request, token: Any, line_id: int) -> Response:
        # The service reads the line under the cart's lock; the answer reads the lines.
        cart = cart_for_request(request, token, with_lines=False).cart
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cart_line_quantity_set(
            cart=cart, line_id=line_id, quantity=serializer.validated_data["quantity"]
        )
        return self.respond_lines_changed(request, cart)

    @extend_schema(
        parameters=CHANNEL_PARAMETERS,
        responses={200: CartOutputSerializer, **ERRORS},
        operation_id="cart_line_remove",
    )
    def delete(self, request: Request, token: Any, line_id: int) -> Response:
        cart = cart_for_request(request, token, with_lines=False).cart
        cart_line_remove(cart=cart, line_id=line_id)
        return self.respond_lines_changed(request, cart)


class CheckoutApi(_CartApi):
    """Contact, address, shipping method, voucher and note; only the fields sent change."""

    throttle_scope = "checkout"

    class InputSerializer(CheckoutDetailsInputSerializer):
        pass

    @extend_schema(
        request=InputSerializer,
        parameters=CHANNEL_PARAMETERS,
        responses={200: CartOutputSerializer, **ERRORS},
        operation_id="checkout_update",
    )
    def patch(self, request: Request, token: Any) -> Response:
        cart = cart_for_request(request, token, with_lines=False).cart
        data = validated(self.InputSerializer, request.data)
        updated = checkout_update(
            cart=cart, details=CheckoutDetails.from_input(data, request.user), user=request.user
        )
        # The cart as just written, with its channel, shipping method and voucher.
        return self.respond_lines_changed(request, updated)


class ShippingMethodListApi(_CartApi):
    @extend_schema(
        parameters=CHANNEL_PARAMETERS,
        responses={200: ShippingMethodOutputSerializer(many=True), **ERRORS},
        operation_id="checkout_shipping_methods",
    )
    def get(self, request: Request, token: Any) -> Response:
        read = cart_for_request(request, token)
        cart = read.cart
        lang = language_from_request(request)
        subtotal = cart_totals(cart, cart_priced_lines(cart, prices=read.prices)).subtotal
        methods = shipping_methods_for(cart.shipping_address or {"country": "CN"})
        return Response(
            [
                {
                    "code": m.code,
                    "name": pick(m, "name", lang),
                    "price": str(shipping_price(m, subtotal)),
                    "free_above": str(m.free_above) if m.free_above is not None else None,
                }
                for m in methods
            ]
        )
