"""Carriers the warehouses ship with. ``carrier_get(code)`` gives the implementation."""

from __future__ import annotations

from fulfillment.carriers.base import (
    Booking,
    Carrier,
    CarrierError,
    CarrierPermanentError,
    CarrierTemporaryError,
    TrackingUpdate,
)

__all__ = [
    "Booking",
    "Carrier",
    "CarrierError",
    "CarrierPermanentError",
    "CarrierTemporaryError",
    "TrackingUpdate",
    "carrier_get",
]


def carrier_get(code: str) -> Carrier:
    """The carrier implementation for a shipment's carrier code."""
    from fulfillment.carriers.express import ExpressCarrier
    from fulfillment.carriers.simulated import SimulatedCarrier

    if code == SimulatedCarrier.code:
        return SimulatedCarrier()
    if code == ExpressCarrier.code:
        return ExpressCarrier.from_settings()
    raise CarrierPermanentError(f"No carrier integration for {code!r}.")
