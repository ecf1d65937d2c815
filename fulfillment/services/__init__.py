"""Shipments: split a paid order, book the carrier, pack, ship, track, deliver, complete.

Locks are always taken in the same order -- the order row, then its shipments, then
reservations and stock in stock primary-key order -- so concurrent fulfilment runs,
carrier polls and staff actions wait for each other instead of deadlocking.

Calls to a carrier happen outside any transaction: a slow carrier never holds a lock.

- ``shipment_state``: statuses, events and the shipment's lock every step shares;
- ``splitting``: a paid order's held units into one shipment per warehouse (booked
  at once when the carrier lives in this process);
- ``booking``: the carrier's waybill;
- ``staff_steps``: pack, ship, deliver;
- ``tracking``: the carrier's tracking events;
- ``sweeps``: lost work found again, completion, closed orders' parcels.
"""

from fulfillment.services.booking import (
    shipment_book,
    shipment_booking_retry,
)
from fulfillment.services.shipment_state import (
    CLOSED_ORDER_STATUSES,
    FULFILLABLE_ORDER_STATUSES,
    MOVED_CODES,
    SHIPPABLE_ORDER_STATUSES,
    carrier_default,
    shipment_event_write,
    shipment_lock,
    shipment_status_set,
)
from fulfillment.services.splitting import (
    Fulfilment,
    order_fulfill,
    order_fulfill_booking,
)
from fulfillment.services.staff_steps import (
    shipment_deliver,
    shipment_pack,
    shipment_ship,
)
from fulfillment.services.sweeps import (
    COMPLETABLE_STATUSES,
    order_shipments_cancel,
    orders_closed_with_open_shipments,
    orders_complete_delivered,
    orders_unfulfilled,
    shipments_unbooked,
)
from fulfillment.services.tracking import (
    order_tracking_refresh,
    shipment_track,
    shipments_to_track,
    tracking_events_store,
    tracking_next_poll,
)

__all__ = [
    "CLOSED_ORDER_STATUSES",
    "COMPLETABLE_STATUSES",
    "FULFILLABLE_ORDER_STATUSES",
    "MOVED_CODES",
    "SHIPPABLE_ORDER_STATUSES",
    "Fulfilment",
    "carrier_default",
    "order_fulfill",
    "order_fulfill_booking",
    "order_shipments_cancel",
    "order_tracking_refresh",
    "orders_closed_with_open_shipments",
    "orders_complete_delivered",
    "orders_unfulfilled",
    "shipment_book",
    "shipment_booking_retry",
    "shipment_deliver",
    "shipment_event_write",
    "shipment_lock",
    "shipment_pack",
    "shipment_ship",
    "shipment_status_set",
    "shipment_track",
    "shipments_to_track",
    "shipments_unbooked",
    "tracking_events_store",
    "tracking_next_poll",
]
