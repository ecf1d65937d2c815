"""What the partners answer to the selling code (shop/core/hooks.py): agreements in force
when an order is placed, and the ledger entries of captured payments, succeeded refunds
and shipped parcels."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from partners.agreements import agreement_versions_in_force
from partners.ledger.hooks import (
    ledger_payment_record,
    ledger_refund_record,
    ledger_shipment_fee_record,
)


class PartnerHooks:
    def agreement_versions_in_force(
        self, collections: Mapping[int, int | None], day: dt.date
    ) -> dict[int, int]:
        return agreement_versions_in_force(collections, day)

    def payment_captured(self, *, payment: Any, first: bool) -> None:
        ledger_payment_record(payment=payment, first=first)

    def refund_succeeded(self, *, refund: Any) -> None:
        ledger_refund_record(refund=refund)

    def shipment_shipped(self, *, shipment: Any) -> None:
        ledger_shipment_fee_record(shipment=shipment)
