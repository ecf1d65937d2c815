"""Shopper registration and sign-in by e-mail."""

from __future__ import annotations

from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from rest_framework.authtoken.models import Token

from shop.accounts.errors import EmailTaken, InvalidCredentials
from shop.accounts.models import User
from shop.core.errors import InvalidInput


@transaction.atomic
def user_register(
    *, email: str, password: str, first_name: str = "", last_name: str = "", phone: str = ""
) -> User:
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exists():
        raise EmailTaken()
    candidate = User(email=email, first_name=first_name, last_name=last_name, phone=phone)
    try:
        password_validation.validate_password(password, candidate)
    except ValidationError as exc:
        raise InvalidInput(fields={"password": list(exc.messages)}) from exc
    try:
        with transaction.atomic():
            return User.objects.create_user(
                email=email,
                password=password,
                first_name=first_name,
                last_name=last_name,
                phone=phone,
            )
    except IntegrityError as exc:
        raise EmailTaken() from exc


def user_sign_in(*, email: str, password: str) -> tuple[User, str]:
    """Check the credentials and return the user's API token."""
    user = authenticate(username=email.lower(), password=password)
    if user is None or not user.is_active:
        raise InvalidCredentials()
    token, _ = Token.objects.get_or_create(user=user)
    return user, token.key  # type: ignore[return-value]


def user_sign_out(*, user: User) -> None:
    Token.objects.filter(user=user).delete()
