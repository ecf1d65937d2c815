"""Vouchers: whether a customer may use one on a subtotal now, and counting a use."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import F, Q
from django.utils.translation import gettext as _

from shop.checkout.errors import VoucherInvalid
from shop.checkout.models import Voucher, VoucherUse
from shop.orders.models import Order


def _customer_limit_check(voucher: Voucher, *, email: str, user_id: int | None) -> None:
    if voucher.usage_limit_per_customer is None or not (email or user_id):
        return
    who = Q(customer_email__iexact=email) if email else Q()
    if user_id:
        who |= Q(order__user_id=user_id)
    used = VoucherUse.objects.filter(who, voucher=voucher).count()
    if used >= voucher.usage_limit_per_customer:
        raise VoucherInvalid(
            _("You have already used this voucher as often as allowed."),
            code="voucher_customer_limit",
        )


def voucher_validate(
    code: str, *, subtotal: Any, email: str, user_id: int | None, now: datetime
) -> Voucher:
    """The voucher for ``code`` if this customer may use it on this subtotal now."""
    voucher = Voucher.objects.filter(code__iexact=code.strip(), is_active=True).first()
    if voucher is None:
        raise VoucherInvalid(_("No such voucher."), fields={"voucher_code": [_("Unknown code.")]})
    if voucher.valid_from and voucher.valid_from > now:
        raise VoucherInvalid(_("This voucher is not valid yet."), code="voucher_not_started")
    if voucher.valid_until and voucher.valid_until <= now:
        raise VoucherInvalid(_("This voucher has expired."), code="voucher_expired")
    if subtotal < voucher.min_spend:
        raise VoucherInvalid(
            _("This voucher needs a subtotal of at least %(amount)s.")
            % {"amount": voucher.min_spend},
            code="voucher_min_spend",
        )
    if voucher.usage_limit is not None and voucher.times_used >= voucher.usage_limit:
        raise VoucherInvalid(_("This voucher has been used up."), code="voucher_used_up")
    _customer_limit_check(voucher, email=email, user_id=user_id)
    return voucher


def voucher_use(voucher: Voucher, order: Order, now: datetime) -> None:
    """Count the order's use of the voucher, checked again (under the customer's lock when
    it has a limit per customer); the conditional update guards the overall limit."""
    voucher_validate(
        voucher.code, subtotal=order.subtotal, email=order.email, user_id=order.user_id, now=now
    )
    used = Voucher.objects.filter(pk=voucher.pk)
    if voucher.usage_limit is not None:
        used = used.filter(times_used__lt=voucher.usage_limit)
    if used.update(times_used=F("times_used") + 1) != 1:
        raise VoucherInvalid(_("This voucher has been used up."), code="voucher_used_up")
    VoucherUse.objects.create(voucher=voucher, order=order, customer_email=order.email)
