"""Staff order API: list with filters, detail, refunds and cancellation."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import Stock
from shop.orders.holds import Reservation, ReservationStatus
from shop.orders.models import Order, OrderEventType, OrderStatus
from shop.payments.models import Payment, Refund
from tests.conftest import client_for
from tests.factories import (
    PartnerFactory,
    PartnerStaffFactory,
    SalesChannelFactory,
    StaffFactory,
    UserFactory,
    WarehouseFactory,
    order_with_stock,
    stock_with_units,
)
from tests.shop.payments.helpers import effects_recorded, paid_order

pytestmark = pytest.mark.django_db

LIST = "/api/v1/staff/orders/"


@pytest.fixture
def spy():
    with effects_recorded() as watched:
        yield watched


@pytest.fixture
def museum_staff():
    """A staff member of the museum, whose channel ``home`` the orders here are sold in."""
    return PartnerStaffFactory(partner=PartnerFactory(code="museum")).user


@pytest.fixture
def home(museum_staff):
    return SalesChannelFactory(code="museum-web", owner=museum_staff.partner_membership.partner)


@pytest.fixture
def staff(museum_staff):
    return client_for(museum_staff)


def _numbers(response):
    return [row["number"] for row in response.json()["results"]]


def test_only_staff_may_use_the_staff_order_api(api_client, superuser):
    order = order_with_stock()
    shopper = client_for(UserFactory())

    for client, status, code in (
        (api_client, 401, "not_authenticated"),
        (shopper, 403, "permission_denied"),
    ):
        answers = [
            client.get(LIST),
            client.get(f"{LIST}{order.number}/"),
            client.post(f"{LIST}{order.number}/refunds/", {"amount": "1.00"}, format="json"),
            client.post(f"{LIST}{order.number}/cancel/", {}, format="json"),
        ]
        assert [(a.status_code, a.json()["code"]) for a in answers] == [(status, code)] * 4
    assert client_for(superuser).get(LIST).status_code == 200
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING_PAYMENT


def test_list_filters_by_status_channel_date_and_search(staff, home):
    web = home
    app = SalesChannelFactory(code="news-app", owner=home.owner)
    unpaid = order_with_stock(channel=web, email="a@example.com")
    paid = order_with_stock(channel=app, email="b@example.com", status=OrderStatus.PAID)
    old = order_with_stock(channel=web, email="c@example.com")
    Order.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))

    assert _numbers(staff.get(LIST)) == [paid.number, unpaid.number, old.number]
    assert _numbers(staff.get(LIST, {"status": "paid"})) == [paid.number]
    assert _numbers(staff.get(LIST, {"channel": "museum-web"})) == [unpaid.number, old.number]
    since = (timezone.now() - timedelta(days=1)).isoformat()
    assert _numbers(staff.get(LIST, {"created_from": since})) == [paid.number, unpaid.number]
    assert _numbers(staff.get(LIST, {"search": "B@example.com"})) == [paid.number]
    assert _numbers(staff.get(LIST, {"search": old.number})) == [old.number]
    page = staff.get(LIST, {"page_size": 2, "page": 2}).json()
    assert (page["count"], [r["number"] for r in page["results"]]) == (3, [old.number])
    bad = staff.get(LIST, {"status": "lost"})
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid")
    row = staff.get(LIST, {"status": "paid"}).json()["results"][0]
    assert row == {
        "number": paid.number,
        "status": "paid",
        "channel": "news-app",
        "email": "b@example.com",
        "currency": "CNY",
        "total": "99.00",
        "amount_paid": "99.00",
        "amount_refunded": "0.00",
        "created_at": row["created_at"],
        "paid_at": row["paid_at"],
        "expires_at": None,
    }


def test_list_query_count_does_not_grow_with_orders(staff, home, django_assert_num_queries):
    for _ in range(3):
        order_with_stock(channel=home)
    with django_assert_num_queries(2):
        assert len(staff.get(LIST).json()["results"]) == 3
    for _ in range(5):
        order_with_stock(channel=home)
    with django_assert_num_queries(2):
        assert len(staff.get(LIST).json()["results"]) == 8


def test_detail_shows_lines_events_payments_and_refunds(staff, home, museum_staff, spy):
    order, payment = paid_order(quantity=2, channel=home)
    staff.post(f"{LIST}{order.number}/refunds/", {"amount": "10.00"}, format="json")

    response = staff.get(f"{LIST}{order.number}/")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "partially_refunded"
    assert [(line["sku"], line["quantity"]) for line in body["lines"]] == [
        (order.lines.get().sku, 2)
    ]
    assert [event["type"] for event in body["events"]] == [
        OrderEventType.PAYMENT_STARTED,
        OrderEventType.PAYMENT_SUCCEEDED,
        OrderEventType.REFUND_REQUESTED,
        OrderEventType.REFUNDED,
    ]
    assert [(p["id"], p["status"], p["amount_refunded"]) for p in body["payments"]] == [
        (payment.pk, "succeeded", "10.00")
    ]
    assert [(r["amount"], r["status"], r["created_by"]) for r in body["refunds"]] == [
        ("10.00", "succeeded", museum_staff.email)
    ]
    assert staff.get(f"{LIST}NOPE/").json()["code"] == "order_not_found"


def test_refund_through_the_api(staff, home, spy):
    order, _payment = paid_order(quantity=2, channel=home)
    line = order.lines.get()

    response = staff.post(
        f"{LIST}{order.number}/refunds/",
        {
            "amount": "99.00",
            "reason": "wrong colour",
            "lines": [{"line_id": line.pk, "quantity": 1}],
        },
        format="json",
    )

    assert response.status_code == 201
    refund = Refund.objects.get(order=order)
    assert response.json()["id"] == refund.pk
    assert (response.json()["amount"], response.json()["status"]) == ("99.00", "succeeded")
    order.refresh_from_db()
    assert (order.status, order.amount_refunded) == (
        OrderStatus.PARTIALLY_REFUNDED,
        Decimal("99.00"),
    )


def test_a_refund_retried_with_its_idempotency_key_is_made_once(staff, home, spy):
    order, _payment = paid_order(quantity=2, channel=home)
    url = f"{LIST}{order.number}/refunds/"
    body = {"amount": "50.00", "reason": "scratched"}

    first = staff.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="refund-1")
    again = staff.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="refund-1")
    other = staff.post(
        url, {**body, "amount": "60.00"}, format="json", HTTP_IDEMPOTENCY_KEY="refund-1"
    )
    too_long = staff.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="k" * 101)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert (other.status_code, other.json()["code"]) == (409, "idempotency_key_reused")
    assert (too_long.status_code, list(too_long.json()["fields"])) == (400, ["Idempotency-Key"])
    assert list(Refund.objects.values_list("amount", flat=True)) == [Decimal("50.00")]
    order.refresh_from_db()
    assert order.amount_refunded == Decimal("50.00")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"amount": "198.01"}, 409, "refund_exceeds_paid"),
        ({"amount": "0.00"}, 400, "invalid"),
        ({"amount": "abc"}, 400, "invalid"),
        ({}, 400, "invalid"),
        ({"amount": "1.00", "lines": [{"line_id": "x"}]}, 400, "invalid"),
    ],
)
def test_refused_refunds_through_the_api_change_nothing(staff, home, spy, body, status, code):
    order, payment = paid_order(quantity=2, channel=home)

    response = staff.post(f"{LIST}{order.number}/refunds/", body, format="json")

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert Refund.objects.count() == 0
    payment.refresh_from_db()
    order.refresh_from_db()
    assert (order.status, order.amount_refunded, payment.amount_refunded) == (
        OrderStatus.PAID,
        Decimal("0"),
        Decimal("0"),
    )


def test_cancel_an_unpaid_order_gives_its_stock_back(staff, home):
    order = order_with_stock(channel=home)
    stock = Stock.objects.get(variant=order.lines.get().variant)
    assert stock.quantity_reserved == 1

    response = staff.post(
        f"{LIST}{order.number}/cancel/", {"reason": "asked by phone"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    stock.refresh_from_db()
    assert stock.quantity_reserved == 0


def test_cancel_a_paid_order_refunds_everything(staff, home, spy):
    order, payment = paid_order(quantity=2, channel=home)
    stock = Stock.objects.get(variant=order.lines.get().variant)

    response = staff.post(f"{LIST}{order.number}/cancel/", {}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["amount_refunded"]) == ("refunded", "198.00")
    assert [(r["amount"], r["status"]) for r in body["refunds"]] == [("198.00", "succeeded")]
    assert [e["type"] for e in body["events"]][-3:] == [
        OrderEventType.CANCELLED,
        OrderEventType.REFUND_REQUESTED,
        OrderEventType.REFUNDED,
    ]
    stock.refresh_from_db()
    assert stock.quantity_reserved == 0
    payment.refresh_from_db()
    assert payment.amount_refunded == Decimal("198.00")
    assert len(spy.ledger_refunds) == 1


def test_a_shipped_order_cannot_be_cancelled(staff, home, spy):
    order, payment = paid_order(channel=home)
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.SHIPPED)
    Reservation.objects.filter(order_line__order=order).update(status=ReservationStatus.SHIPPED)

    response = staff.post(f"{LIST}{order.number}/cancel/", {}, format="json")

    assert (response.status_code, response.json()["code"]) == (409, "order_not_cancellable")
    assert Order.objects.get(pk=order.pk).status == OrderStatus.SHIPPED
    assert Refund.objects.count() == 0
    assert Payment.objects.get(pk=payment.pk).amount_refunded == Decimal("0")


def test_staff_see_and_handle_their_partners_orders_only(home, museum_staff, spy):
    """Sold in the museum's channel, or held in the media group's warehouse: each
    partner's staff see their own; another partner's order does not exist for them."""
    media = PartnerFactory(code="media")
    media_staff = client_for(PartnerStaffFactory(partner=media).user)
    museum = client_for(museum_staff)
    sold_by_museum, _ = paid_order(channel=home)
    media_channel = SalesChannelFactory(code="media-app", owner=media)
    sold_by_media, _ = paid_order(channel=media_channel)
    media_warehouse = WarehouseFactory(code="media-wh", partner=media)
    held_for_media = order_with_stock(
        channel=home, lines=[(stock_with_units(warehouse=media_warehouse, quantity=5).variant, 1)]
    )

    assert set(_numbers(museum.get(LIST))) == {sold_by_museum.number, held_for_media.number}
    assert set(_numbers(media_staff.get(LIST))) == {sold_by_media.number, held_for_media.number}
    hidden = [
        media_staff.get(f"{LIST}{sold_by_museum.number}/"),
        media_staff.post(
            f"{LIST}{sold_by_museum.number}/refunds/", {"amount": "1.00"}, format="json"
        ),
        media_staff.post(f"{LIST}{sold_by_museum.number}/cancel/", {}, format="json"),
    ]
    assert [(a.status_code, a.json()["code"]) for a in hidden] == [(404, "order_not_found")] * 3
    assert Refund.objects.count() == 0
    assert Order.objects.get(pk=sold_by_museum.pk).status == OrderStatus.PAID
    assert media_staff.get(f"{LIST}{held_for_media.number}/").status_code == 200


def test_staff_of_no_partner_read_every_order_and_change_none(home, spy):
    order, _ = paid_order(channel=home)
    reader = client_for(StaffFactory())

    assert _numbers(reader.get(LIST)) == [order.number]
    assert reader.get(f"{LIST}{order.number}/").status_code == 200
    refused = [
        reader.post(f"{LIST}{order.number}/refunds/", {"amount": "1.00"}, format="json"),
        reader.post(f"{LIST}{order.number}/cancel/", {}, format="json"),
    ]
    assert [(a.status_code, a.json()["code"]) for a in refused] == [(403, "permission_denied")] * 2
    assert Refund.objects.count() == 0
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PAID
