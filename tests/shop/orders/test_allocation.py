"""The warehouse choice at checkout: fewest shipments, then the channel owner's, then most stock."""

from shop.orders.allocation import lines_allocate
from shop.orders.holds import Reservation
from shop.orders.models import OrderLine
from tests import factories
from tests.factories import OrderFactory, stock_with_units


def _order(channel, *wanted):
    order = OrderFactory(channel=channel)
    lines = [
        OrderLine.objects.create(
            order=order,
            variant=variant,
            product=variant.product,
            channel=channel,
            product_name="x",
            sku=variant.sku,
            quantity=quantity,
            unit_price=variant.price,
            line_total=variant.price * quantity,
        )
        for variant, quantity in wanted
    ]
    return [(line, line.quantity) for line in lines]


def _held(requests):
    return sorted(
        Reservation.objects.filter(order_line__in=[line for line, _ in requests]).values_list(
            "order_line__variant__sku", "stock__warehouse__code", "quantity"
        )
    )


def _setup(db_stock):
    owner = factories.PartnerFactory(code="owner")
    other = factories.PartnerFactory(code="other")
    channel = factories.SalesChannelFactory(owner=owner)
    own = factories.WarehouseFactory(code="own", partner=owner)
    big = factories.WarehouseFactory(code="big", partner=other)
    small = factories.WarehouseFactory(code="small", partner=other)
    variants = [factories.ProductVariantFactory(sku=sku) for sku in ("A", "B")]
    for code, warehouse in (("own", own), ("big", big), ("small", small)):
        for variant, quantity in zip(variants, db_stock[code], strict=True):
            if quantity:
                stock_with_units(variant=variant, warehouse=warehouse, quantity=quantity)
    return channel, variants


def test_one_warehouse_holding_the_whole_order_beats_the_owners(db):
    channel, (a, b) = _setup({"own": (5, 0), "big": (0, 0), "small": (1, 1)})
    requests = _order(channel, (a, 1), (b, 1))

    assert lines_allocate(requests, channel=channel, expires_at=None)

    assert _held(requests) == [("A", "small", 1), ("B", "small", 1)]


def test_among_whole_order_warehouses_the_channel_owners_wins(db):
    channel, (a, b) = _setup({"own": (1, 1), "big": (50, 50), "small": (0, 0)})
    requests = _order(channel, (a, 1), (b, 1))

    assert lines_allocate(requests, channel=channel, expires_at=None)

    assert _held(requests) == [("A", "own", 1), ("B", "own", 1)]


def test_then_the_warehouse_with_the_most_stock(db):
    channel, (a, b) = _setup({"own": (0, 0), "big": (9, 9), "small": (2, 2)})
    requests = _order(channel, (a, 2), (b, 2))

    assert lines_allocate(requests, channel=channel, expires_at=None)

    assert _held(requests) == [("A", "big", 2), ("B", "big", 2)]


def test_when_no_warehouse_holds_everything_lines_stay_together_where_they_can(db):
    # A is only in the owner's warehouse; B is in "big" (most) and in the owner's (enough).
    channel, (a, b) = _setup({"own": (3, 2), "big": (0, 9), "small": (0, 0)})
    requests = _order(channel, (a, 3), (b, 2))

    assert lines_allocate(requests, channel=channel, expires_at=None)

    assert _held(requests) == [("A", "own", 3), ("B", "own", 2)]


def test_a_line_is_split_when_no_single_warehouse_has_enough(db):
    channel, (a, _) = _setup({"own": (2, 0), "big": (3, 0), "small": (0, 0)})
    requests = _order(channel, (a, 4))

    assert lines_allocate(requests, channel=channel, expires_at=None)

    assert _held(requests) == [("A", "big", 2), ("A", "own", 2)]


def test_not_enough_anywhere_holds_nothing(db):
    channel, (a, b) = _setup({"own": (2, 0), "big": (3, 0), "small": (0, 1)})
    requests = _order(channel, (a, 6), (b, 1))

    assert not lines_allocate(requests, channel=channel, expires_at=None)

    assert _held(requests) == []


def test_orders_of_one_and_of_two_variants_each_read_their_own_stock(db):
    channel, (a, b) = _setup({"own": (2, 3), "big": (0, 0), "small": (0, 0)})
    one, two = _order(channel, (b, 1)), _order(channel, (a, 2), (b, 1))
    again = _order(channel, (b, 1))

    assert lines_allocate(one, channel=channel, expires_at=None)
    assert lines_allocate(two, channel=channel, expires_at=None)
    assert lines_allocate(again, channel=channel, expires_at=None)

    assert _held(one) == [("B", "own", 1)]
    assert _held(two) == [("A", "own", 2), ("B", "own", 1)]
    assert _held(again) == [("B", "own", 1)]
    assert not lines_allocate(_order(channel, (a, 1)), channel=channel, expires_at=None)
