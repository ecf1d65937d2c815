"""Two partners, each with a warehouse, and paid orders whose units are held there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import Stock, Warehouse
from fulfillment.models import Shipment
from partners.models import Partner
from shop.channels.models import SalesChannel
from shop.orders.models import Order, OrderStatus
from tests import factories
from tests.selling_factories import order_with_stock, stock_with_units


@dataclass
class TwoWarehouses:
    museum: Partner
    media: Partner
    channel: SalesChannel  # owned by the museum
    museum_warehouse: Warehouse
    media_warehouse: Warehouse
    museum_stock: Stock  # variant A, 10 units in the museum's warehouse
    media_stock: Stock  # variant B, 10 units in the media group's warehouse

    def paid_order(self, lines=None, **kwargs) -> Order:
        lines = lines or [(self.museum_stock.variant, 2), (self.media_stock.variant, 1)]
        return order_with_stock(
            channel=self.channel, lines=lines, status=OrderStatus.PAID, **kwargs
        )


@pytest.fixture
def shop(db, settings) -> TwoWarehouses:
    settings.SHOP_CARRIER = "simulated"
    settings.SHOP_SIMULATED_PICKUP_SECONDS = 60
    settings.SHOP_SIMULATED_DELIVERY_SECONDS = 600
    museum = factories.PartnerFactory(code="museum", name_en="Palace Museum")
    media = factories.PartnerFactory(code="media", name_en="Beijing News")
    channel = factories.SalesChannelFactory(code="museum-web", owner=museum)
    museum_warehouse = factories.WarehouseFactory(code="museum-wh", partner=museum)
    media_warehouse = factories.WarehouseFactory(code="media-wh", partner=media, city="天津市")
    return TwoWarehouses(
        museum=museum,
        media=media,
        channel=channel,
        museum_warehouse=museum_warehouse,
        media_warehouse=media_warehouse,
        museum_stock=stock_with_units(warehouse=museum_warehouse, quantity=10),
        media_stock=stock_with_units(warehouse=media_warehouse, quantity=10),
    )


def age_booking(shipment: Shipment, seconds: int) -> None:
    """Pretend the shipment was booked ``seconds`` ago (the simulated carrier's clock)."""
    Shipment.objects.filter(pk=shipment.pk).update(
        booked_at=timezone.now() - timedelta(seconds=seconds), last_polled_at=None
    )
    shipment.refresh_from_db()


def stock_levels(*stocks: Stock) -> list[tuple[int, int]]:
    return [
        tuple(Stock.objects.values_list("quantity", "quantity_reserved").get(pk=stock.pk))
        for stock in stocks
    ]


def delivered(order: Order, monkeypatch=None) -> Order:
    """Fulfil, book, ship and deliver every parcel of a paid order (simulated carrier)."""
    from fulfillment import services

    for shipment_id in services.order_fulfill(order_id=order.pk):
        services.shipment_book(shipment_id=shipment_id)
    for shipment in Shipment.objects.filter(order=order):
        age_booking(shipment, 601)
        services.shipment_track(shipment_id=shipment.pk)
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED
    return order


@pytest.fixture
def no_ledger(monkeypatch):
    monkeypatch.setattr("partners.hooks.ledger_shipment_fee_record", lambda *, shipment: None)


def pay(order: Order) -> None:
    """The shopper pays at the offline fake provider; the payment code enqueues fulfilment."""
    from shop.payments.services import payment_fake_complete, payment_start

    payment = payment_start(order=order, provider="fake")
    payment_fake_complete(payment=payment, outcome="succeed")
