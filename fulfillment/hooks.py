"""What fulfillment answers to the selling code (shop/core/hooks.py): a closed order's
parcels that have not left are cancelled."""

from __future__ import annotations

from typing import Any

from fulfillment.services import order_shipments_cancel


class FulfillmentHooks:
    def order_closed(self, *, order: Any, user: Any) -> None:
        order_shipments_cancel(order_id=order.pk, user=user)
