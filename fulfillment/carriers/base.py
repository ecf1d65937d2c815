"""The carrier interface: book a waybill with a label, and read the tracking history.

Failures come in two kinds, and the tasks treat them differently:
- :class:`CarrierTemporaryError` (timeout, connection refused, 5xx, rate limit):
  the task retries with backoff;
- :class:`CarrierPermanentError` (4xx, a refusal, an answer we cannot read): retrying
  cannot help; the reason is recorded on the shipment and staff ship it by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from fulfillment.models import Shipment


class CarrierError(Exception):
    """Anything that went wrong talking to a carrier."""


class CarrierTemporaryError(CarrierError):
    """The carrier could not answer now; asking again later may work."""


class CarrierPermanentError(CarrierError):
    """The carrier refused or answered something we cannot use; asking again will not help."""


@dataclass(frozen=True)
class Booking:
    waybill_number: str
    label_pdf: bytes


@dataclass(frozen=True)
class TrackingUpdate:
    code: str  # one of fulfillment.models.TrackingCode
    occurred_at: datetime
    location: str = ""
    description_zh: str = ""
    description_en: str = ""


@dataclass(frozen=True)
class TrackingHistory:
    updates: list[TrackingUpdate] = field(default_factory=list)


class Carrier(Protocol):
    code: str
    # True when booking needs no network (a carrier living in this process): a paid
    # order's shipments are then booked in the transaction that makes them.
    books_in_process: bool

    def book(self, shipment: Shipment) -> Booking:
        """Create a waybill for the shipment; the same shipment books the same waybill."""
        ...

    def track(self, shipment: Shipment) -> list[TrackingUpdate]:
        """Every tracking event so far, oldest first."""
        ...
