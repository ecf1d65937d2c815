"""A mobile number proved by an SMS code: signing in with it, or adding it to an account."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from shop.accounts.errors import PhoneNotRegistered, PhoneTaken
from shop.accounts.models import User
from shop.accounts.sms.codes import sms_code_use
from shop.accounts.tokens import device_token_create
from shop.core.hooks import hooks


def phone_sign_in(*, phone: str, code: str, device_name: str = "") -> tuple[User, str]:
    """A new device token for the account that verified ``phone``, once its code is right."""
    sms_code_use(phone=phone, code=code)
    user = User.objects.filter(phone=phone, phone_verified_at__isnull=False, is_active=True).first()
    if user is None:
        raise PhoneNotRegistered()
    _device, token = device_token_create(user=user, name=device_name)
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    return user, token


def phone_verify(*, user: User, phone: str, code: str) -> User:
    """The account's mobile number becomes ``phone``, verified; the guest orders placed
    with it join the account."""
    sms_code_use(phone=phone, code=code)
    if (
        User.objects.filter(phone=phone, phone_verified_at__isnull=False)
        .exclude(pk=user.pk)
        .exists()
    ):
        raise PhoneTaken()
    try:
        with transaction.atomic():
            user.phone = phone
            user.phone_verified_at = timezone.now()
            user.save(update_fields=["phone", "phone_verified_at"])
            hooks().account_contact_verified(user=user, phone=phone)
    except IntegrityError as exc:
        raise PhoneTaken() from exc
    return user
