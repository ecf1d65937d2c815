"""Who may call what: staff, partner users, superusers."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission


class IsStaff(BasePermission):
    """Museum or partner staff (``is_staff``), or a superuser."""

    message = _("Only staff may do this.")

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and (user.is_staff or user.is_superuser))


class IsSuperuser(BasePermission):
    message = _("Only an administrator may do this.")

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_superuser)


class IsPartnerUser(BasePermission):
    """A user who belongs to a partner (or a superuser, who sees every partner)."""

    message = _("Only partner users may do this.")

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return bool(user.is_superuser or hasattr(user, "partner_membership"))


def signed_in(user: Any) -> Any:
    """The user when signed in, else None: what audit columns and events record."""
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def user_partner_id(user: Any) -> int | None:
    """The partner a user acts for, or None (superusers act for all)."""
    membership = getattr(user, "partner_membership", None)
    return membership.partner_id if membership is not None else None
