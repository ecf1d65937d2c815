"""Fulfilment's hand-written statement (fulfillment/queries.py), on every engine."""

from __future__ import annotations

import pytest
from django.utils import timezone

from fulfillment import services
from fulfillment.models import Shipment, ShipmentStatus
from fulfillment.queries import TABLES, Waybill, shipments_book

pytestmark = pytest.mark.django_db


def test_the_statement_names_the_models_table():
    assert {"shipment": Shipment._meta.db_table} == TABLES


def test_every_waybill_is_written_in_one_statement(two_warehouses, django_assert_num_queries):
    order = two_warehouses.paid_order()
    first, second = services.order_fulfill(order_id=order.pk)
    Shipment.objects.filter(pk=second).update(status=ShipmentStatus.PACKED)
    now = timezone.now()

    with django_assert_num_queries(1):
        written = shipments_book(
            [
                Waybill(first, "pending", "booked", "SIM-1", b"%PDF-1"),
                Waybill(second, "packed", "packed", "SIM-2", b""),
            ],
            now,
        )

    assert written == {first, second}
    rows = Shipment.objects.filter(order=order).order_by("pk")
    assert [
        (s.status, s.waybill_number, bytes(s.label_pdf), s.booked_at, s.booking_attempts)
        for s in rows
    ] == [("booked", "SIM-1", b"%PDF-1", now, 1), ("packed", "SIM-2", b"", now, 1)]
    assert {s.updated_at for s in rows} == {now}


def test_a_shipment_moved_on_given_a_waybill_or_a_taken_number_is_not_written(two_warehouses):
    order = two_warehouses.paid_order()
    first, second = services.order_fulfill(order_id=order.pk)
    other = two_warehouses.paid_order(lines=[(two_warehouses.media_stock.variant, 1)])
    (third,) = services.order_fulfill(order_id=other.pk)
    Shipment.objects.filter(pk=third).update(waybill_number="SIM-HELD")
    now = timezone.now()

    written = shipments_book(
        [
            Waybill(first, "pending", "booked", "SIM-HELD", b""),  # another holds it
            Waybill(second, "packed", "packed", "SIM-2", b""),  # it is pending, not packed
            Waybill(third, "pending", "booked", "SIM-3", b""),  # it has a waybill
        ],
        now,
    )

    assert written == set()
    assert list(Shipment.objects.order_by("pk").values_list("pk", "status", "waybill_number")) == [
        (first, "pending", ""),
        (second, "pending", ""),
        (third, "pending", "SIM-HELD"),
    ]
    assert set(Shipment.objects.values_list("booking_attempts", flat=True)) == {0}


def test_no_waybill_is_no_statement(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert shipments_book([], timezone.now()) == set()
