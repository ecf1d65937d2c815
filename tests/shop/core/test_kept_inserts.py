"""Rows inserted with SQL compiled once (shop/core/kept_inserts.py), on every engine: the
rows ``save()`` and ``bulk_create()`` would write, one statement per insert."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import F, signals
from django.test.utils import CaptureQueriesContext

from shop.carts.models import Cart, CartLine, CartStatus
from shop.core.kept_inserts import KeptInsert, kept_insert
from shop.orders.models import Order, OrderEvent, OrderEventType, OrderStatus
from tests.factories.catalog import ProductVariantFactory
from tests.factories.channels import SalesChannelFactory
from tests.factories.selling import ADDRESS, OrderFactory

pytestmark = pytest.mark.django_db


def _cart(channel, **fields):
    return Cart(
        **{
            "channel": channel,
            "email": "a@example.com",
            "shipping_address": dict(ADDRESS),
            **fields,
        }
    )


def _stored(cart: Cart) -> tuple:
    row = Cart.objects.get(pk=cart.pk)
    return (
        row.token,
        row.channel_id,
        row.user_id,
        row.status,
        row.email,
        row.shipping_address,
        row.language,
        row.created_at,
        row.updated_at,
    )


def test_a_row_is_stored_as_save_stores_it():
    channel = SalesChannelFactory()
    saved, kept = _cart(channel), _cart(channel, status=CartStatus.ORDERED)
    saved.save(force_insert=True)
    with CaptureQueriesContext(connection) as queries:
        assert kept_insert(Cart).insert([kept]) == [kept]
    assert len(queries) == 1
    assert kept.pk is not None and kept.pk != saved.pk
    assert kept._state.adding is False and kept._state.db == "default"
    assert kept.created_at is not None and kept.updated_at is not None
    assert _stored(kept) == (
        kept.token,
        channel.pk,
        None,
        CartStatus.ORDERED,
        "a@example.com",
        ADDRESS,
        saved.language,
        kept.created_at,
        kept.updated_at,
    )


def test_rows_get_their_ids_in_order_and_a_related_object_saved_after_it_was_given():
    channel = SalesChannelFactory()
    variants = [ProductVariantFactory(), ProductVariantFactory()]
    cart = _cart(channel)
    lines = [CartLine(cart=cart, variant=v, quantity=n + 1) for n, v in enumerate(variants)]
    kept_insert(Cart).insert([cart])  # after the lines were given the cart, as buying now does
    kept_insert(CartLine).insert(lines)
    stored = list(CartLine.objects.filter(cart=cart).order_by("pk"))
    assert [(line.pk, line.variant_id, line.quantity) for line in stored] == [
        (line.pk, line.variant_id, line.quantity) for line in lines
    ]
    assert all(line.cart_id == cart.pk for line in stored)


def test_a_row_with_its_own_id_money_and_json():
    channel = SalesChannelFactory()
    taken = OrderFactory(channel=channel).pk + 100
    order = Order(
        id=taken,
        channel=channel,
        number=f"N-{taken}",
        idempotency_key="kept",
        email="a@example.com",
        shipping_address=dict(ADDRESS),
        subtotal=Decimal("10.10"),
        shipping_price=Decimal("0.00"),
        discount=Decimal("0.05"),
        total=Decimal("10.05"),
    )
    kept_insert(Order).insert([order])
    event = OrderEvent(order=order, type=OrderEventType.PLACED, data={"total": "10.05"})
    kept_insert(OrderEvent).insert([event])
    row = Order.objects.get(pk=taken)
    assert (row.number, row.total, row.discount, row.status, row.shipping_address) == (
        f"N-{taken}",
        Decimal("10.05"),
        Decimal("0.05"),
        OrderStatus.PENDING_PAYMENT,
        ADDRESS,
    )
    assert OrderEvent.objects.get(pk=event.pk).data == {"total": "10.05"}


def test_compiled_once_per_number_of_rows(monkeypatch):
    channel = SalesChannelFactory()
    kept = KeptInsert(Cart)
    compiled = []
    compile_ = kept._compile
    monkeypatch.setattr(
        kept, "_compile", lambda *args: compiled.append(args[1:]) or compile_(*args)
    )
    kept.insert([_cart(channel)])
    kept.insert([_cart(channel)])
    kept.insert([_cart(channel), _cart(channel)])
    kept.insert([_cart(channel), _cart(channel)])
    assert compiled == [(1, False), (2, False)]
    assert sorted(kept._compiled[connections["default"]]) == [(1, False), (2, False)]


def test_more_values_than_a_statement_takes_go_in_as_many_statements(monkeypatch):
    channel = SalesChannelFactory()
    width = len(KeptInsert(Cart)._fields(False))
    monkeypatch.setattr(connection.features, "max_query_params", 2 * width)
    carts = [_cart(channel, email=f"{n}@example.com") for n in range(5)]
    with CaptureQueriesContext(connection) as queries:
        kept_insert(Cart).insert(carts)
    assert len(queries) == 3  # 2 + 2 + 1 rows
    stored = Cart.objects.filter(pk__in=[cart.pk for cart in carts]).order_by("pk")
    assert [cart.email for cart in stored] == [f"{n}@example.com" for n in range(5)]
    assert len({cart.pk for cart in carts}) == 5


def test_what_is_not_kept_is_refused_and_nothing_written():
    channel = SalesChannelFactory()
    before = Cart.objects.count()
    with pytest.raises(ValueError, match="expressions"):
        kept_insert(Cart).insert([_cart(channel, email=F("phone"))])
    with pytest.raises(ValueError, match="apart"):
        kept_insert(Cart).insert([_cart(channel), _cart(channel, id=10_000)])
    with pytest.raises(ValueError, match="unsaved related object"):
        kept_insert(CartLine).insert([CartLine(cart=_cart(channel), variant_id=1, quantity=1)])
    assert Cart.objects.count() == before


def test_a_model_whose_saves_are_listened_to_is_refused():
    def heard(**kwargs):
        pass

    channel = SalesChannelFactory()
    kept_insert(Cart).insert([_cart(channel)])  # compiled before anyone listened
    before = Cart.objects.count()
    signals.post_save.connect(heard, sender=Cart)
    try:
        with pytest.raises(ValueError, match="listened"):
            kept_insert(Cart).insert([_cart(channel)])
        with pytest.raises(ValueError, match="listened"):
            KeptInsert(Cart).insert([_cart(channel)])
    finally:
        signals.post_save.disconnect(heard, sender=Cart)
    assert Cart.objects.count() == before


def test_a_refused_row_marks_the_transaction_for_rollback_as_save_does():
    channel = SalesChannelFactory()
    first = _cart(channel)
    kept_insert(Cart).insert([first])
    with transaction.atomic():
        with pytest.raises(IntegrityError):
            kept_insert(Cart).insert([_cart(channel, token=first.token)])
        assert connection.needs_rollback  # the block is rolled back, as after save()
    assert Cart.objects.filter(token=first.token).count() == 1
