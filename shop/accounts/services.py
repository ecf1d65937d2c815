"""Shopper registration and sign-in by e-mail."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from shop.accounts.errors import EmailTaken, InvalidCredentials, SignInLocked
from shop.accounts.models import User
from shop.accounts.sign_in_limits import sign_in_cool_off_seconds, sign_in_locked
from shop.accounts.tokens import device_token_create
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


def user_sign_in(
    *, request: Any, email: str, password: str, device_name: str = ""
) -> tuple[User, str]:
    """Check the credentials and return a new API token for this device. ``request`` is the
    sign-in's own: failures are counted per account and client, and a locked one is
    refused before its password is checked (shop/accounts/sign_in_limits.py)."""
    user = authenticate(request, username=email.lower(), password=password)
    if user is None or not user.is_active:
        if sign_in_locked(request):
            raise SignInLocked(retry_after=sign_in_cool_off_seconds())
        raise InvalidCredentials()
    _device, token = device_token_create(user=user, name=device_name)
    # A token sign-in is a sign-in: its client becomes known to the account, its failures
    # are cleared, and last_login is kept, as for the admin's and the dashboard's.
    user_logged_in.send(sender=type(user), request=request, user=user)
    return user, token


def user_sign_out(*, user: User, device: Any) -> None:
    """Sign out the device whose token made the request (a session: nothing to do)."""
    if device is not None and hasattr(device, "device_id"):
        device.delete()


def user_profile_update(*, user: User, **changes: str) -> User:
    """Change the shopper's name (an e-mail or mobile number changes through verification)."""
    for field, value in changes.items():
        setattr(user, field, value)
    if changes:
        user.save(update_fields=list(changes))
    return user
