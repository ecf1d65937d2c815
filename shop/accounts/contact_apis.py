"""Proving an e-mail address or a mobile number, resetting a password by e-mail, and
signing in with an SMS code."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.accounts.addresses import cn_mobile_normalize
from shop.accounts.apis import MeSerializer, TokenSerializer, device_name_field, token_answer
from shop.accounts.email_change import email_change_confirm, email_change_request
from shop.accounts.phone import phone_sign_in, phone_verify
from shop.accounts.sms.codes import sms_code_send
from shop.accounts.verification import (
    email_verification_send,
    email_verify,
    password_reset_confirm,
    password_reset_send,
)
from shop.core.schema import error_responses
from shop.core.throttling import ShopScopedRateThrottle
from shop.core.validation import validated


class _Limited(APIView):
    throttle_classes = [ShopScopedRateThrottle]


class LinkSerializer(serializers.Serializer):
    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)


class PasswordResetApi(_Limited):
    """Send a link to choose a new password; the same answer whether or not the address
    has an account."""

    throttle_scope = "account_email"

    class InputSerializer(serializers.Serializer):
        email = serializers.EmailField(max_length=254)

    @extend_schema(
        request=InputSerializer,
        responses={202: None, **error_responses(400, 429)},
        operation_id="auth_password_reset",
    )
    def post(self, request: Request) -> Response:
        password_reset_send(email=validated(self.InputSerializer, request.data)["email"])
        return Response(status=202)


class PasswordResetConfirmApi(_Limited):
    """Choose the new password with the link's ``uid`` and ``token``: every device is
    signed out."""

    throttle_scope = "sign_in"

    class InputSerializer(LinkSerializer):
        new_password = serializers.CharField(max_length=128, write_only=True)

    @extend_schema(
        request=InputSerializer,
        responses={204: None, **error_responses(400, 429)},
        operation_id="auth_password_reset_confirm",
    )
    def post(self, request: Request) -> Response:
        password_reset_confirm(**validated(self.InputSerializer, request.data))
        return Response(status=204)


class EmailVerifyApi(_Limited):
    """Confirm the e-mail address with the link's ``uid`` and ``token``."""

    throttle_scope = "sign_in"

    @extend_schema(
        request=LinkSerializer,
        responses={200: MeSerializer, **error_responses(400, 429)},
        operation_id="auth_email_verify",
    )
    def post(self, request: Request) -> Response:
        user = email_verify(**validated(LinkSerializer, request.data))
        return Response(MeSerializer(user).data)


class EmailVerificationSendApi(_Limited):
    """Send the signed-in shopper a new link to confirm their e-mail address."""

    permission_classes = [IsAuthenticated]
    throttle_scope = "account_email"

    @extend_schema(
        request=None,
        responses={202: None, **error_responses(401, 429)},
        operation_id="me_email_verification_send",
    )
    def post(self, request: Request) -> Response:
        email_verification_send(user=request.user)  # type: ignore[arg-type]
        return Response(status=202)


class EmailChangeApi(_Limited):
    """Ask to change the signed-in shopper's e-mail address (the password again): a link
    goes to the new address, a notice to the present one. Nothing changes until the link
    is used."""

    permission_classes = [IsAuthenticated]
    throttle_scope = "account_email"

    class InputSerializer(serializers.Serializer):
        new_email = serializers.EmailField(max_length=254)
        password = serializers.CharField(max_length=128, write_only=True)

    @extend_schema(
        request=InputSerializer,
        responses={202: None, **error_responses(400, 401, 409, 429)},
        operation_id="me_email_change",
    )
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        email_change_request(user=request.user, **data)  # type: ignore[arg-type]
        return Response(status=202)


class EmailChangeConfirmApi(_Limited):
    """Make the new e-mail address the account's with the link's ``token``."""

    throttle_scope = "sign_in"

    class InputSerializer(serializers.Serializer):
        token = serializers.CharField(max_length=128)

    @extend_schema(
        request=InputSerializer,
        responses={200: MeSerializer, **error_responses(400, 409, 429)},
        operation_id="auth_email_change_confirm",
    )
    def post(self, request: Request) -> Response:
        user = email_change_confirm(**validated(self.InputSerializer, request.data))
        return Response(MeSerializer(user).data)


class PhoneInputSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=32)

    def validate_phone(self, value: str) -> str:
        return cn_mobile_normalize(value)


class SmsCodeApi(_Limited):
    """Text a one-time code to a mainland mobile number (to sign in, or to verify it)."""

    throttle_scope = "sms_code"

    @extend_schema(
        request=PhoneInputSerializer,
        responses={202: None, **error_responses(400, 429, 503)},
        operation_id="auth_sms_code",
    )
    def post(self, request: Request) -> Response:
        sms_code_send(phone=validated(PhoneInputSerializer, request.data)["phone"])
        return Response(status=202)


class SmsSignInApi(_Limited):
    """Sign in with the code texted to the account's verified mobile number."""

    throttle_scope = "sign_in"

    class InputSerializer(PhoneInputSerializer):
        code = serializers.RegexField(r"^\s*\d{6}\s*$")
        device_name = device_name_field()

    @extend_schema(
        request=InputSerializer,
        responses={200: TokenSerializer, **error_responses(400, 401, 429)},
        operation_id="auth_sms_sign_in",
    )
    def post(self, request: Request) -> Response:
        user, token = phone_sign_in(**validated(self.InputSerializer, request.data))
        return Response(token_answer(user, token))


class PhoneVerifyApi(_Limited):
    """Set the signed-in shopper's mobile number, proved by the code texted to it."""

    permission_classes = [IsAuthenticated]
    throttle_scope = "sign_in"

    class InputSerializer(PhoneInputSerializer):
        code = serializers.RegexField(r"^\s*\d{6}\s*$")

    @extend_schema(
        request=InputSerializer,
        responses={200: MeSerializer, **error_responses(400, 401, 409, 429)},
        operation_id="me_phone_verify",
    )
    def post(self, request: Request) -> Response:
        data: dict[str, Any] = validated(self.InputSerializer, request.data)
        user = phone_verify(user=request.user, **data)  # type: ignore[arg-type]
        return Response(MeSerializer(user).data)
