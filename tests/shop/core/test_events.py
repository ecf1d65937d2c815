"""Order, shipment and settlement events: one shape, one writer, each in its own table."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from fulfillment.models import Shipment, ShipmentEvent, ShipmentEventType, ShipmentStatus
from partners.models import Settlement, SettlementEvent, SettlementEventType, SettlementStatus
from shop.core.events import Event, event_build, event_write
from shop.orders.models import OrderEvent, OrderEventType, OrderStatus
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("model", "table", "subject"),
    [
        (OrderEvent, "orders_orderevent", "order"),
        (ShipmentEvent, "fulfillment_shipmentevent", "shipment"),
        (SettlementEvent, "partners_settlementevent", "settlement"),
    ],
)
def test_each_event_model_keeps_its_table_and_its_subject_with_the_shared_shape(
    model, table, subject
):
    assert issubclass(model, Event)
    assert model._meta.db_table == table
    assert model.subject_field == subject
    assert model._meta.get_field(subject).remote_field.related_name == "events"
    shared = {"type", "from_status", "to_status", "data", "user", "created_at"}
    assert shared <= {field.name for field in model._meta.get_fields()}
    assert model._meta.ordering == ["created_at", "id"]


def test_the_writer_records_the_change_and_who_made_it_when_signed_in():
    order = factories.OrderFactory()
    staff = factories.StaffFactory()

    by_staff = event_write(
        OrderEvent,
        order,
        OrderEventType.STATUS_CHANGED,
        from_status=OrderStatus.PENDING_PAYMENT,
        to_status=OrderStatus.PAID,
        data={"why": "test"},
        user=staff,
    )
    anonymous = event_write(OrderEvent, order, OrderEventType.NOTE, user=AnonymousUser())

    assert list(
        order.events.values_list("pk", "type", "from_status", "to_status", "data", "user")
    ) == [
        (by_staff.pk, "status_changed", "pending_payment", "paid", {"why": "test"}, staff.pk),
        (anonymous.pk, "note", "", "", {}, None),
    ]
    # An event reads as its type and its subject, in the active language.
    with translation.override("en"):
        assert str(by_staff) == f"Status changed: {order}"
    with translation.override("zh-hans"):
        assert str(by_staff) == f"状态变更：{order}"


def test_shipment_and_settlement_events_are_written_by_the_same_writer():
    order = factories.OrderFactory()
    warehouse = factories.WarehouseFactory()
    shipment = Shipment.objects.create(
        order=order, warehouse=warehouse, partner=warehouse.partner, carrier="simulated"
    )
    settlement = Settlement.objects.create(partner=warehouse.partner, period=dt.date(2025, 5, 1))

    created = event_write(
        ShipmentEvent, shipment, ShipmentEventType.CREATED, to_status=ShipmentStatus.PENDING
    )
    opened = event_write(
        SettlementEvent, settlement, SettlementEventType.OPENED, to_status=SettlementStatus.OPEN
    )

    assert list(shipment.events.values_list("pk", "type", "to_status")) == [
        (created.pk, "created", "pending")
    ]
    assert list(settlement.events.values_list("pk", "type", "to_status")) == [
        (opened.pk, "opened", "open")
    ]
    with translation.override("en"):
        assert str(opened) == f"Opened: {settlement}"


def test_a_built_event_is_not_written_until_saved():
    order = factories.OrderFactory()

    event = event_build(OrderEvent, order, OrderEventType.NOTE, data={"note": "later"})

    assert event.pk is None and event.order == order
    assert not order.events.exists()
