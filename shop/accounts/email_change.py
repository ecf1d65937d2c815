"""Changing a shopper's e-mail address: asked for with the password, proved by a link
sent to the new address (good for ``EMAIL_CHANGE_LINK_HOURS``, used once), told to the
old address at once. The address changes only when the link is used; the account's
devices stay signed in, and guest orders placed with the new address join the account,
as after a verification."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.accounts.errors import EmailTaken, VerificationLinkInvalid
from shop.accounts.models import EmailChange, User
from shop.accounts.verification import send_after_commit
from shop.core.errors import InvalidInput
from shop.core.hooks import hooks


def _digest(token: str) -> str:
    return hashlib.sha256(f"email-change:{token}".encode()).hexdigest()


def email_masked(email: str) -> str:
    """ "m***@example.com": enough for the owner to recognise, not to be read off a
    mailbox someone else can see."""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def _taken(email: str, user: User) -> bool:
    return User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists()


@transaction.atomic
def email_change_request(
    *, user: User, new_email: str, password: str, now: dt.datetime | None = None
) -> None:
    """Send the link to ``new_email`` and a notice to the present address. An address
    another account has is refused (409 ``email_taken``), saying nothing more about it."""
    if not user.check_password(password):
        raise InvalidInput(
            code="password_incorrect", fields={"password": [_("The password is not correct.")]}
        )
    new_email = User.objects.normalize_email(new_email.strip()).lower()
    if new_email == user.email.lower():
        raise InvalidInput(fields={"new_email": [_("This is already your e-mail address.")]})
    if _taken(new_email, user):
        raise EmailTaken()
    now = now or timezone.now()
    token = secrets.token_urlsafe(32)
    EmailChange.objects.filter(user=user).delete()  # the newest request is the one that counts
    EmailChange.objects.create(
        user=user,
        new_email=new_email,
        digest=_digest(token),
        expires_at=now + dt.timedelta(hours=settings.EMAIL_CHANGE_LINK_HOURS),
    )
    link = f"{settings.SHOP_PUBLIC_URL.rstrip('/')}/change-email?token={token}"
    send_after_commit(
        _("Confirm your new e-mail address"),
        _(
            "Open this link to make %(email)s the e-mail address of your account:\n\n"
            "%(link)s\n\nThe link works for %(hours)s hours. Until then your address "
            "does not change."
        )
        % {"email": new_email, "link": link, "hours": f"{settings.EMAIL_CHANGE_LINK_HOURS:g}"},
        new_email,
    )
    send_after_commit(
        _("Your e-mail address is being changed"),
        _(
            "Someone signed in to your account asked to change its e-mail address to "
            "%(email)s. It changes once the link sent there is opened.\n\n"
            "If this was not you, change your password now."
        )
        % {"email": email_masked(new_email)},
        user.email,
    )


@transaction.atomic
def email_change_confirm(*, token: str, now: dt.datetime | None = None) -> User:
    """Make the new address the account's, verified; the link then stops working."""
    now = now or timezone.now()
    change = EmailChange.objects.select_for_update().filter(digest=_digest(token)).first()
    if change is None or change.expires_at <= now:
        raise VerificationLinkInvalid()
    user = User.objects.select_for_update().filter(pk=change.user_id, is_active=True).first()
    if user is None:
        raise VerificationLinkInvalid()
    if _taken(change.new_email, user):
        raise EmailTaken()
    user.email = change.new_email
    user.email_verified_at = now
    try:
        with transaction.atomic():
            user.save(update_fields=["email", "email_verified_at"])
    except IntegrityError as exc:  # the address was taken a moment ago
        raise EmailTaken() from exc
    EmailChange.objects.filter(user=user).delete()
    hooks().account_contact_verified(user=user, email=user.email)
    return user
