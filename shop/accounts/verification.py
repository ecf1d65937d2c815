"""Proving an e-mail address (a link with a signed token) and resetting a forgotten
password by e-mail, with Django's token generator: a token is good for
``PASSWORD_RESET_TIMEOUT`` and stops working once used (the password or the verification
it signs has changed)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from shop.accounts.errors import VerificationLinkInvalid
from shop.accounts.models import User
from shop.accounts.tokens import devices_sign_out_all
from shop.core.errors import InvalidInput
from shop.core.hooks import hooks


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "shop.accounts.verification.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        verified = user.email_verified_at.isoformat() if user.email_verified_at else ""
        return f"{user.pk}{user.email}{verified}{timestamp}"


email_verification_tokens = EmailVerificationTokenGenerator()


def _link(path: str, user: User, token: str) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return f"{settings.SHOP_PUBLIC_URL.rstrip('/')}/{path}?uid={uid}&token={token}"


def _user_of(uid: str) -> User | None:
    try:
        pk = int(urlsafe_base64_decode(uid).decode())
    except (ValueError, TypeError, UnicodeDecodeError):
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


def send_after_commit(subject: str, body: str, to: str) -> None:
    """Send an account e-mail once the transaction that owes it has committed."""
    transaction.on_commit(
        lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=False)
    )


def email_verification_send(*, user: User) -> None:
    link = _link("verify-email", user, email_verification_tokens.make_token(user))
    send_after_commit(
        _("Confirm your e-mail address"),
        _("Open this link to confirm that %(email)s is yours:\n\n%(link)s\n")
        % {"email": user.email, "link": link},
        user.email,
    )


@transaction.atomic
def email_verify(*, uid: str, token: str) -> User:
    """Mark the e-mail verified; the guest orders placed with it join the account."""
    user = _user_of(uid)
    if user is None or not email_verification_tokens.check_token(user, token):
        raise VerificationLinkInvalid()
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])
    hooks().account_contact_verified(user=user, email=user.email)
    return user


def password_reset_send(*, email: str) -> None:
    """Send a reset link when an active account has this e-mail; the same answer either
    way, so nobody learns which addresses have accounts."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None or not user.has_usable_password():
        return
    link = _link("reset-password", user, default_token_generator.make_token(user))
    send_after_commit(
        _("Reset your password"),
        _(
            "Open this link to choose a new password:\n\n%(link)s\n\n"
            "If you did not ask, ignore this."
        )
        % {"link": link},
        user.email,
    )


@transaction.atomic
def password_reset_confirm(*, uid: str, token: str, new_password: str) -> User:
    """Set the new password and sign every device out. Following the link also proves the
    e-mail address."""
    user = _user_of(uid)
    if user is None or not default_token_generator.check_token(user, token):
        raise VerificationLinkInvalid()
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as exc:
        raise InvalidInput(fields={"new_password": list(exc.messages)}) from exc
    user.set_password(new_password)
    first_proof = user.email_verified_at is None
    if first_proof:
        user.email_verified_at = timezone.now()
    user.save(update_fields=["password", "email_verified_at"])
    devices_sign_out_all(user=user)
    if first_proof:
        hooks().account_contact_verified(user=user, email=user.email)
    return user
