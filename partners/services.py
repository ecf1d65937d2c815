"""Partner money: the split ledger and settlements (built by the partners issue).

The selling code calls these hooks inside its own transactions, so a money event
and its ledger entries are written together or not at all.
"""

from __future__ import annotations

from typing import Any


def order_lines_agreements_attach(*, order: Any) -> None:
    """Record on each order line the revenue-share agreement version in force now."""


def ledger_payment_record(*, payment: Any) -> None:
    """Write the ledger entries of a captured payment (and its fee)."""


def ledger_refund_record(*, refund: Any) -> None:
    """Write the reversing ledger entries of a succeeded refund."""


def ledger_shipment_fee_record(*, shipment: Any) -> None:
    """Write the logistics fee of a shipped shipment."""
