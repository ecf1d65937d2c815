"""The periodic tracking poll asks a carrier only about the parcels that are due: at the
next sweep after news, then twice as long after each poll that brought none, at most
``SHOP_TRACKING_POLL_MAX_SECONDS``. The clock is injected (``now``)."""

from datetime import UTC, datetime, timedelta

import pytest

from fulfillment import services
from fulfillment.models import Shipment, TrackingEvent
from tests.factories.fulfillment import age_booking

T0 = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
MINUTE = timedelta(seconds=60)


@pytest.fixture
def schedule(settings):
    settings.SHOP_SWEEP_SECONDS = 60
    settings.SHOP_TRACKING_POLL_MAX_SECONDS = 3600


def test_the_next_poll_is_a_sweep_after_news_and_doubles_without(schedule):
    after = services.tracking_next_poll
    assert after(last_polled_at=None, now=T0, news=False) == T0 + MINUTE
    assert after(last_polled_at=T0 - 10 * MINUTE, now=T0, news=True) == T0 + MINUTE
    assert after(last_polled_at=T0 - MINUTE, now=T0, news=False) == T0 + 2 * MINUTE
    assert after(last_polled_at=T0 - 4 * MINUTE, now=T0, news=False) == T0 + 8 * MINUTE
    # Never sooner than a sweep, never later than the longest wait.
    assert after(last_polled_at=T0 - timedelta(seconds=5), now=T0, news=False) == T0 + MINUTE
    assert after(last_polled_at=T0 - 50 * MINUTE, now=T0, news=False) == T0 + 60 * MINUTE


def test_only_parcels_due_are_polled_never_polled_first(two_warehouses, schedule):
    _, (media, museum) = two_warehouses.booked_order()
    Shipment.objects.filter(pk=media.pk).update(next_poll_at=T0 + 10 * MINUTE)

    assert services.shipments_to_track(now=T0) == [museum.pk]  # never polled: at once
    # Due within half a sweep counts; the longest due comes first.
    Shipment.objects.filter(pk=museum.pk).update(next_poll_at=T0 + 11 * MINUTE)
    assert services.shipments_to_track(now=T0 + 9 * MINUTE) == []
    assert services.shipments_to_track(now=T0 + 9.5 * MINUTE) == [media.pk]
    assert services.shipments_to_track(now=T0 + 11 * MINUTE) == [media.pk, museum.pk]


def test_a_parcel_without_news_is_asked_less_and_less_until_it_moves(
    two_warehouses, schedule, settings
):
    settings.SHOP_SIMULATED_PICKUP_SECONDS = 3600  # nothing new for an hour
    settings.SHOP_SIMULATED_DELIVERY_SECONDS = 7200
    _, (museum,) = two_warehouses.booked_order(lines=[(two_warehouses.museum_stock.variant, 1)])
    polls = []
    for sweep in range(60):  # the first hour, a sweep a minute
        now = T0 + sweep * MINUTE
        for shipment_id in services.shipments_to_track(now=now):
            services.shipment_track(shipment_id=shipment_id, now=now)
            polls.append(sweep)

    # Booked (news), then 2, 4, 8, 16 minutes without: 6 questions instead of 60.
    assert polls == [0, 1, 3, 7, 15, 31]
    museum.refresh_from_db()
    assert museum.last_polled_at == T0 + 31 * MINUTE
    assert museum.next_poll_at == T0 + 63 * MINUTE

    age_booking(museum, 3601)  # picked up: news, and the next sweep asks again
    later = T0 + 70 * MINUTE
    services.shipment_track(shipment_id=museum.pk, now=later)
    museum.refresh_from_db()
    assert TrackingEvent.objects.filter(shipment=museum, code="picked_up").exists()
    assert museum.next_poll_at == later + MINUTE
