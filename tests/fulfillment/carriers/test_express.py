import base64
import json

import pytest
import redis
from django.core import mail

from fulfillment import services
from fulfillment.carriers import CarrierTemporaryError
from fulfillment.carriers.express import ExpressCarrier, data_digest
from fulfillment.models import CarrierCode, OrderEmail, Shipment, ShipmentEvent, ShipmentStatus
from fulfillment.tasks import order_paid
from fulfillment.tasks import shipment_book as shipment_book_task
from shop.celery import QUEUES
from shop.core.tasks import MAX_RETRIES
from shop.orders.models import Order, OrderStatus
from tests.celery_workers import broker_flush, broker_url, tasks_sent_to
from tests.fulfillment.carriers.fake_express import APP_KEY, APP_SECRET, LABEL, FakeCarrierServer
from tests.fulfillment.conftest import stock_levels


@pytest.fixture
def carrier(settings):
    with FakeCarrierServer() as state:
        settings.SHOP_CARRIER = CarrierCode.EXPRESS
        settings.SHOP_EXPRESS_BASE_URL = state.url
        settings.SHOP_EXPRESS_APP_KEY = APP_KEY
        settings.SHOP_EXPRESS_APP_SECRET = APP_SECRET
        settings.SHOP_EXPRESS_TIMEOUT_SECONDS = 0.5
        yield state


@pytest.fixture
def shipment(two_warehouses, carrier):
    order = two_warehouses.paid_order(lines=[(two_warehouses.museum_stock.variant, 2)])
    (shipment_id,) = services.order_fulfill(order_id=order.pk)
    return Shipment.objects.get(pk=shipment_id)


@pytest.fixture
def retries_in_process():
    """Run a task's retries in-process one after the other (as a worker would, minus the
    waiting) instead of raising the first Retry to the caller."""
    from shop.celery import app

    previous = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = previous


def _unchanged(shipment: Shipment, attempts: int) -> None:
    shipment = Shipment.objects.get(pk=shipment.pk)
    assert (shipment.status, shipment.waybill_number, shipment.booking_error) == (
        ShipmentStatus.PENDING,
        "",
        "",
    )
    assert shipment.booking_attempts == attempts
    assert not ShipmentEvent.objects.filter(shipment=shipment).exclude(type="created").exists()


def test_the_digest_is_base64_of_md5_of_body_and_secret():
    # printf '{"a":1}secret' | openssl md5 -binary | base64
    assert data_digest(b'{"a":1}', "secret") == "nXesKl9asX7M42LfEYoluA=="


def test_booking_sends_a_signed_request_and_stores_waybill_and_label(shipment, carrier):
    booked = services.shipment_book(shipment_id=shipment.pk)

    assert booked.status == ShipmentStatus.BOOKED
    assert booked.waybill_number == f"ZT{shipment.pk:0>10}"
    assert bytes(Shipment.objects.get(pk=shipment.pk).label_pdf) == LABEL
    (request,) = carrier.requests
    assert request["path"] == "/api/order/create"
    assert request["signed"] is True
    assert request["app_key"] == APP_KEY
    assert request["body"]["partnerOrderCode"] == f"shipment-{shipment.pk}"
    assert request["body"]["receiver"]["city"] == "北京市"
    assert request["body"]["items"] == [
        {"name": shipment.lines.get().order_line.sku, "quantity": 2}
    ]


@pytest.mark.parametrize("mode", ["slow", "500", "busy"])
def test_a_carrier_timing_out_or_failing_is_a_temporary_error_and_changes_nothing(
    shipment, carrier, mode
):
    carrier.modes = [mode]
    carrier.slow_seconds = 1.5

    with pytest.raises(CarrierTemporaryError):
        services.shipment_book(shipment_id=shipment.pk)

    _unchanged(shipment, attempts=1)


def test_the_task_retries_temporary_failures_then_books(shipment, carrier, retries_in_process):
    carrier.modes = ["500", "slow", "500"]
    carrier.slow_seconds = 1.0

    result = shipment_book_task.apply(args=[shipment.pk])

    assert result.get() == f"ZT{shipment.pk:0>10}"
    assert len(carrier.requests) == 4
    assert Shipment.objects.get(pk=shipment.pk).booking_attempts == 4


def test_the_task_gives_up_after_its_retries_without_recording_a_failure(
    shipment, carrier, retries_in_process
):
    carrier.default_mode = "500"

    result = shipment_book_task.apply(args=[shipment.pk])

    assert result.state == "FAILURE"
    assert isinstance(result.result, CarrierTemporaryError)
    assert len(carrier.requests) == MAX_RETRIES + 1
    _unchanged(shipment, attempts=MAX_RETRIES + 1)


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("garbage", "carrier answered something that is not JSON"),
        ("400", "carrier refused the request: HTTP 400"),
        ("refused", "carrier refused: ADDRESS_INVALID 地址不详"),
    ],
)
def test_garbage_or_a_refusal_is_recorded_on_the_shipment_and_not_retried(
    two_warehouses, shipment, carrier, mode, reason
):
    carrier.modes = [mode]

    result = shipment_book_task.apply(args=[shipment.pk])

    assert result.get() == ""
    assert len(carrier.requests) == 1
    stored = Shipment.objects.get(pk=shipment.pk)
    assert (stored.status, stored.waybill_number, stored.booking_error) == (
        ShipmentStatus.PENDING,
        "",
        reason,
    )
    event = ShipmentEvent.objects.get(shipment=shipment, type="booking_failed")
    assert event.data == {"reason": reason}
    assert stock_levels(two_warehouses.museum_stock) == [(10, 2)]
    # The sweep leaves it to staff; the shipment waits for a hand-made waybill.
    assert services.shipments_unbooked(older_than_seconds=0) == []


def test_tracking_maps_scans_and_ships_on_pickup(two_warehouses, shipment, carrier):
    services.shipment_book(shipment_id=shipment.pk)
    carrier.traces = [
        {"scanType": "到件", "scanDate": "2026-11-25 09:30:00", "scanSite": "天津分拨中心"},
        {
            "scanType": "收件",
            "scanDate": "2026-11-25 08:00:00",
            "scanSite": "北京西城",
            "desc": "已揽收",
        },
        {"scanType": "内部", "scanDate": "2026-11-25 08:05:00"},
    ]

    services.shipment_track(shipment_id=shipment.pk)

    stored = Shipment.objects.get(pk=shipment.pk)
    assert stored.status == ShipmentStatus.SHIPPED
    assert stored.shipped_at.isoformat() == "2026-11-25T00:00:00+00:00"
    assert list(stored.tracking.values_list("code", "location", "description_zh")) == [
        ("picked_up", "北京西城", "已揽收"),
        ("in_transit", "天津分拨中心", ""),
    ]
    assert carrier.requests[-1]["body"] == {"billCode": stored.waybill_number}
    assert stock_levels(two_warehouses.museum_stock) == [(8, 0)]


def test_tracking_garbage_changes_nothing(two_warehouses, shipment, carrier):
    services.shipment_book(shipment_id=shipment.pk)
    carrier.modes = ["garbage"]

    services.shipment_track(shipment_id=shipment.pk)

    stored = Shipment.objects.get(pk=shipment.pk)
    assert stored.status == ShipmentStatus.BOOKED
    assert stored.tracking.count() == 0
    assert stored.last_polled_at is not None


def test_an_unconfigured_base_url_is_a_permanent_error(shipment, settings):
    settings.SHOP_EXPRESS_BASE_URL = ""

    services.shipment_book(shipment_id=shipment.pk)

    assert (
        Shipment.objects.get(pk=shipment.pk).booking_error
        == "The express carrier's base URL is not configured."
    )


def test_the_client_has_a_timeout(settings):
    settings.SHOP_EXPRESS_BASE_URL = "https://carrier.example.com/"
    settings.SHOP_EXPRESS_TIMEOUT_SECONDS = 3
    client = ExpressCarrier.from_settings()
    assert (client.base_url, client.timeout) == ("https://carrier.example.com", 3.0)


def _queued(url: str) -> list[tuple[str, list]]:
    """The tasks waiting in the test broker: name and arguments, oldest first."""
    client = redis.Redis.from_url(url)
    messages = [json.loads(m) for queue in QUEUES for m in reversed(client.lrange(queue, 0, -1))]
    return [(m["headers"]["task"], json.loads(base64.b64decode(m["body"]))[0]) for m in messages]


def test_the_paid_task_books_a_carrier_over_http_right_after_the_split(two_warehouses, carrier):
    order = two_warehouses.paid_order(lines=[(two_warehouses.museum_stock.variant, 2)])

    booked = order_paid.apply(args=[order.pk]).get()

    (shipment,) = Shipment.objects.filter(order=order)
    assert booked == [shipment.pk]
    assert (shipment.status, shipment.waybill_number, shipment.booking_attempts) == (
        ShipmentStatus.BOOKED,
        f"ZT{shipment.pk:0>10}",
        1,
    )
    assert len(carrier.requests) == 1
    assert ShipmentEvent.objects.filter(shipment=shipment, type="booked").count() == 1


def test_a_carrier_away_at_payment_leaves_its_booking_to_a_task_of_its_own(two_warehouses, carrier):
    order = two_warehouses.paid_order(lines=[(two_warehouses.museum_stock.variant, 2)])
    carrier.modes = ["500"]
    url = broker_url()
    broker_flush(url)

    with tasks_sent_to(url):
        booked = order_paid.apply(args=[order.pk]).get()
        queued = _queued(url)
    broker_flush(url)

    (shipment,) = Shipment.objects.filter(order=order)
    assert booked == []
    assert queued == [("fulfillment.shipment_book", [shipment.pk])]
    assert (shipment.status, shipment.waybill_number, shipment.booking_attempts) == (
        ShipmentStatus.PENDING,
        "",
        1,
    )
    assert Order.objects.get(pk=order.pk).status == OrderStatus.FULFILLING
    assert set(OrderEmail.objects.filter(order=order).values_list("kind", flat=True)) == {
        "payment_received"
    }
    assert len(mail.outbox) == 1
