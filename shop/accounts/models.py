"""People who use the shop: shoppers, staff and partner users all sign in by e-mail."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib.auth.models import AbstractUser, BaseUserManager, Group
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import get_digest_token
from knox.settings import CONSTANTS
from simple_history import register

from shop.core.history import ShopHistory


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("an e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    phone = models.CharField(max_length=32, blank=True, verbose_name=_("phone"))
    # When the shopper proved the address or number theirs (a link by e-mail, a code by
    # SMS): a verified number signs in by SMS, and guest orders with either join the account.
    email_verified_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("e-mail verified at")
    )
    phone_verified_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("phone verified at")
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []  # type: ignore[misc]

    objects = UserManager()  # type: ignore[misc,assignment]

    history = ShopHistory(
        excluded_fields=["password", "last_login"], m2m_fields=["groups", "user_permissions"]
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            # One account signs in with a verified mobile number.
            models.UniqueConstraint(
                fields=["phone"],
                condition=models.Q(phone_verified_at__isnull=False),
                name="user_verified_phone_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.email


# Staff permissions are the groups' permissions too: a group gaining or losing one is
# traced like a user's own. Its history lives in this app (Django's auth app has no
# migrations of ours).
register(Group, app="shop.accounts", records_class=ShopHistory, m2m_fields=["permissions"])


class DeviceTokenManager(models.Manager["DeviceToken"]):
    def create_for(self, user: User, *, name: str, ttl: dt.timedelta) -> tuple[DeviceToken, str]:
        """A new token as knox makes it: the row with its digest, and the token in clear
        (returned once, never stored)."""
        digest, token = get_digest_token()
        device = self.create(
            digest=digest,
            token_key=token[: CONSTANTS.TOKEN_KEY_LENGTH],
            user=user,
            expiry=timezone.now() + ttl,
            name=name,
        )
        return device, token


class DeviceToken(models.Model):
    """One signed-in device's API token (django-rest-knox's, ``KNOX_TOKEN_MODEL``, with
    the fields of its ``AbstractAuthToken`` written out): only its SHA-512 digest is
    stored, it expires after ``TOKEN_TTL``, and signing out deletes this row alone.
    ``device_id`` names it in the shopper's list of devices (the digest never leaves the
    database)."""

    digest = models.CharField(max_length=CONSTANTS.DIGEST_LENGTH, primary_key=True)
    token_key = models.CharField(
        max_length=CONSTANTS.MAXIMUM_TOKEN_PREFIX_LENGTH + CONSTANTS.TOKEN_KEY_LENGTH,
        db_index=True,
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="auth_token_set")
    created = models.DateTimeField(auto_now_add=True)
    expiry = models.DateTimeField(null=True, blank=True)
    device_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=100, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = DeviceTokenManager()

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.user} · {self.name or self.device_id}"


class Address(models.Model):
    """A shopper's saved address. In mainland China (``country`` "CN") the province, city
    and district are national division codes (shop/accounts/divisions.py) with their names
    as they were when saved, the phone an 11-digit mobile number, the postcode optional."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="addresses")
    label = models.CharField(max_length=40, blank=True)
    name = models.CharField(max_length=100)
    phone = models.CharField(max_length=32)
    country = models.CharField(max_length=2, default="CN")
    province_code = models.CharField(max_length=6, blank=True)
    city_code = models.CharField(max_length=6, blank=True)
    district_code = models.CharField(max_length=6, blank=True)
    province = models.CharField(max_length=64, blank=True)
    city = models.CharField(max_length=64, blank=True)
    district = models.CharField(max_length=64, blank=True)
    street = models.CharField(max_length=255)
    postcode = models.CharField(max_length=16, blank=True)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = ShopHistory()

    class Meta:
        ordering = ["-is_default", "-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(is_default=True),
                name="address_one_default_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.province}{self.city}{self.district}{self.street}"


class SmsCode(models.Model):
    """A one-time code sent by SMS to sign in with (or to verify) a mobile number: only its
    digest is kept; it expires, allows a few wrong guesses, and is used once."""

    phone = models.CharField(max_length=32)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["phone", "-created_at"])]

    def __str__(self) -> str:
        return f"SMS code for {self.phone}"


class EmailChange(models.Model):
    """A shopper's request to change their e-mail address, waiting for the link sent to
    the new address: only the link's digest is kept; it expires, and it is gone once used
    (or when a newer request replaces it)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_changes")
    new_email = models.EmailField(verbose_name=_("new e-mail address"))
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user} → {self.new_email}"
