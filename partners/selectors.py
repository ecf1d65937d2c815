"""Who asks, and for which partner."""

from __future__ import annotations

from typing import Any

from partners.errors import PartnerNotFound, PartnerRequired
from partners.models import Partner
from shop.core.permissions import user_partner_id


def partner_for_user(user: Any, code: str | None = None) -> Partner:
    """The partner whose figures ``user`` sees. A superuser names one with ``code``."""
    if user.is_superuser and code:
        partner = Partner.objects.filter(code=code).first()
        if partner is None:
            raise PartnerNotFound()
        return partner
    partner_id = user_partner_id(user)
    if partner_id is None:
        raise PartnerRequired()
    return Partner.objects.get(pk=partner_id)
