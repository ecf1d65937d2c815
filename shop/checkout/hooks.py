"""What the checkout does when a domain below it tells it something (shop/core/hooks.py)."""

from __future__ import annotations

from typing import Any

from django.db.models import F

from shop.checkout.models import Voucher, VoucherUse
from shop.orders.personal_data import (
    orders_anonymise_for_account,
    orders_attach_to_account,
    orders_personal_data,
)


class CheckoutHooks:
    def account_contact_verified(self, *, user: Any, email: str = "", phone: str = "") -> None:
        orders_attach_to_account(user=user, email=email, phone=phone)

    def account_personal_data(self, *, user: Any) -> dict[str, Any]:
        return {"orders": orders_personal_data(user=user)}

    def account_erasing(self, *, user: Any) -> None:
        orders_anonymise_for_account(user=user)

    def order_voucher_release(self, *, order: Any) -> None:
        """The voucher use of an order that did not go through counts no more."""
        use = VoucherUse.objects.filter(order=order).first()
        if use is None:
            return
        Voucher.objects.filter(pk=use.voucher_id, times_used__gt=0).update(
            times_used=F("times_used") - 1
        )
        use.delete()
