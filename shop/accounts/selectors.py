"""Who is who: the people to tell about a partner's business."""

from __future__ import annotations

from typing import Any


def partner_alert_recipients(partner: Any) -> list[str]:
    """A partner's active staff users and its contact address: who hears of its low stock,
    of a payment held for review or of a refund that failed."""
    emails = {
        membership.user.email
        for membership in partner.memberships.select_related("user")
        if membership.user.is_active and membership.user.is_staff and membership.user.email
    }
    if partner.contact_email:
        emails.add(partner.contact_email)
    return sorted(emails)
