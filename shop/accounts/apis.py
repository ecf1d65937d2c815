"""Registration, sign-in and the signed-in user's profile."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from knox.settings import CONSTANTS
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.accounts.services import (
    user_profile_update,
    user_register,
    user_sign_in,
    user_sign_out,
)
from shop.accounts.verification import email_verification_send
from shop.core.schema import error_responses
from shop.core.throttling import ShopScopedRateThrottle
from shop.core.validation import validated

TOKEN_KEY_LENGTH = CONSTANTS.TOKEN_KEY_LENGTH


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    phone = serializers.CharField()
    is_staff = serializers.BooleanField()
    is_superuser = serializers.BooleanField()
    email_verified = serializers.SerializerMethodField()
    phone_verified = serializers.SerializerMethodField()
    partner = serializers.SerializerMethodField()
    partner_role = serializers.SerializerMethodField()

    def get_email_verified(self, user) -> bool:
        return user.email_verified_at is not None

    def get_phone_verified(self, user) -> bool:
        return user.phone_verified_at is not None

    def get_partner(self, user) -> str | None:
        membership = getattr(user, "partner_membership", None)
        return membership.partner.code if membership else None

    def get_partner_role(self, user) -> str | None:
        membership = getattr(user, "partner_membership", None)
        return membership.role if membership else None


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        help_text="This device's API token, shown once: send it as `Authorization: Token <token>`."
    )
    expires_at = serializers.DateTimeField(help_text="When the token stops working.")
    device_id = serializers.UUIDField(help_text="This device in GET /me/devices/.")
    user = MeSerializer()


def device_name_field() -> serializers.CharField:
    return serializers.CharField(
        max_length=100,
        required=False,
        default="",
        allow_blank=True,
        help_text='A name the shopper will recognise in the list of devices ("Mei\'s phone").',
    )


def token_answer(user: Any, token: str) -> dict[str, Any]:
    device = user.auth_token_set.get(token_key=token[:TOKEN_KEY_LENGTH])
    return {
        "token": token,
        "expires_at": serializers.DateTimeField().to_representation(device.expiry),
        "device_id": str(device.device_id),
        "user": MeSerializer(user).data,
    }


class RegisterApi(APIView):
    throttle_classes = [ShopScopedRateThrottle]
    throttle_scope = "registration"

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254)
        password = serializers.CharField(max_length=128, write_only=True)
        first_name = serializers.CharField(max_length=150, required=False, default="")
        last_name = serializers.CharField(max_length=150, required=False, default="")
        phone = serializers.CharField(max_length=32, required=False, default="")
        device_name = device_name_field()

    @extend_schema(
        request=InputSerializer,
        responses={201: TokenSerializer, **error_responses(400, 409, 429)},
        operation_id="auth_register",
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        device_name = data.pop("device_name")
        registered = user_register(**data)
        email_verification_send(user=registered)
        user, token = user_sign_in(
            request=request,
            email=data["email"],
            password=data["password"],
            device_name=device_name,
        )
        return Response(token_answer(user, token), status=201)


class SignInApi(APIView):
    throttle_classes = [ShopScopedRateThrottle]
    throttle_scope = "sign_in"

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254)
        password = serializers.CharField(max_length=128, write_only=True)
        device_name = device_name_field()

    @extend_schema(
        request=InputSerializer,
        responses={200: TokenSerializer, **error_responses(400, 401, 429)},
        operation_id="auth_sign_in",
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user, token = user_sign_in(request=request, **serializer.validated_data)
        return Response(token_answer(user, token))


class SignOutApi(APIView):
    permission_classes = [IsAuthenticated]

    """Sign out this device: its token stops working; the account's other devices stay
    signed in (``DELETE /me/devices/`` signs them all out)."""

    @extend_schema(request=None, responses={204: None}, operation_id="auth_sign_out")
    def post(self, request: Request) -> Response:
        user_sign_out(user=request.user, device=request.auth)  # type: ignore[arg-type]
        return Response(status=204)


class MeApi(APIView):
    """``GET``: who is signed in. ``PATCH``: change one's name."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
        last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)

    @extend_schema(
        request=InputSerializer,
        responses={200: MeSerializer, **error_responses(400, 401)},
        operation_id="me_update",
    )
    def patch(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        user = user_profile_update(user=request.user, **data)  # type: ignore[arg-type]
        return Response(MeSerializer(user).data)

    @extend_schema(responses=MeSerializer, operation_id="me")
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)
