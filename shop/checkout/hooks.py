"""What the checkout does when a domain below it tells it something (shop/core/hooks.py)."""

from __future__ import annotations

from typing import Any

from django.db.models import F

from shop.checkout.models import Voucher, VoucherUse


class CheckoutHooks:
    def order_voucher_release(self, *, order: Any) -> None:
        """The voucher use of an order that did not go through counts no more."""
        use = VoucherUse.objects.filter(order=order).first()
        if use is None:
            return
        Voucher.objects.filter(pk=use.voucher_id, times_used__gt=0).update(
            times_used=F("times_used") - 1
        )
        use.delete()
