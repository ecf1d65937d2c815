"""Two partners, each with a warehouse, and paid orders whose units are held there."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from catalog.models import Stock, Warehouse
from fulfillment import services
from fulfillment.models import Shipment
from partners.models import Partner
from shop.channels.models import SalesChannel
from shop.orders.models import Order, OrderStatus
from tests import factories
from tests.factories import order_with_stock, stock_with_units


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

    def booked_order(self, lines=None) -> tuple[Order, list[Shipment]]:
        """A paid order split into its shipments, each booked with the carrier."""
        order = self.paid_order(lines=lines)
        for shipment_id in services.order_fulfill(order_id=order.pk):
            services.shipment_book(shipment_id=shipment_id)
        return order, shipments_of(order)


@pytest.fixture
def two_warehouses(db, settings) -> TwoWarehouses:
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


def stock_levels(*stocks: Stock) -> list[tuple[int, int]]:
    return [
        tuple(Stock.objects.values_list("quantity", "quantity_reserved").get(pk=stock.pk))
        for stock in stocks
    ]


def shipments_of(order: Order) -> list[Shipment]:
    """The order's shipments, by their warehouse's code."""
    return list(Shipment.objects.filter(order=order).order_by("warehouse__code"))
