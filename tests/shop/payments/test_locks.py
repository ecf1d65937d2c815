"""The payments' lock order (shop/payments/locks.py), on every engine: an order, then its
payments in id order, read as the ORM would read them; nothing found is an error, as
with ``get()``; on PostgreSQL the rows named, and only they, stay locked until the
transaction ends."""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection, transaction
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext

from shop.orders.models import Order
from shop.payments.locks import order_alone_lock, order_payment_lock, order_payments_lock
from shop.payments.models import Payment
from tests.connections import separate_connection
from tests.factories import OrderFactory, PaymentFactory

pytestmark = pytest.mark.django_db


def _order_with_payments(count: int) -> tuple[Order, list[Payment]]:
    order = OrderFactory()
    payments = [PaymentFactory(order=order) for _ in range(count)]
    PaymentFactory(order=OrderFactory(channel=order.channel))  # another order's
    return order, payments


def test_an_order_is_locked_with_its_channel_then_its_payments_in_id_order():
    orders = [_order_with_payments(count) for count in (3, 1, 0)]
    for order, payments in orders:
        with transaction.atomic():
            locked, locked_payments = order_payments_lock(order.pk)
        assert (locked.pk, locked.number, locked.total) == (order.pk, order.number, order.total)
        assert locked.get_deferred_fields() == set()
        with CaptureQueriesContext(connection) as queries:
            assert locked.channel.code == order.channel.code  # read with the order
        assert len(queries) == 0
        assert [p.pk for p in locked_payments] == sorted(p.pk for p in payments)
        assert [p.amount for p in locked_payments] == [p.amount for p in payments]
        assert all(p.order is locked for p in locked_payments)


def test_only_the_fields_asked_for_are_read():
    order, _ = _order_with_payments(1)
    with transaction.atomic():
        locked, _ = order_payments_lock(order.pk, order_fields=("id", "status", "channel__code"))
        alone = order_alone_lock(order.pk, order_fields=("id",))
    assert (locked.pk, locked.status, locked.channel.code) == (
        order.pk,
        order.status,
        order.channel.code,
    )
    assert {"total", "email"} <= locked.get_deferred_fields()
    assert alone.pk == order.pk
    assert {"status", "total"} <= alone.get_deferred_fields()


def test_one_payment_of_its_order_is_locked_after_the_order():
    order, payments = _order_with_payments(2)
    with transaction.atomic():
        locked, payment = order_payment_lock(order.pk, payments[1].pk)
    assert (locked.pk, payment.pk, payment.provider) == (order.pk, payments[1].pk, "fake")
    assert payment.order is locked


def test_a_missing_order_or_payment_is_an_error_as_with_get():
    order, payments = _order_with_payments(1)
    elsewhere = PaymentFactory()
    missing = Order.objects.order_by("-pk").values_list("pk", flat=True)[0] + 1
    with transaction.atomic():
        with pytest.raises(Order.DoesNotExist):
            order_payments_lock(missing)
        with pytest.raises(Order.DoesNotExist):
            order_alone_lock(missing, order_fields=("id",))
        with pytest.raises(Payment.DoesNotExist):
            order_payment_lock(order.pk, elsewhere.pk)
        assert order_payment_lock(order.pk, payments[0].pk)[1].pk == payments[0].pk


@pytest.mark.django_db(transaction=True)
def test_locks_are_taken_in_a_transaction_only():
    order, _ = _order_with_payments(1)
    if not connection.features.has_select_for_update:
        pytest.skip("this engine writes one transaction at a time and takes no row lock")
    with pytest.raises(TransactionManagementError):
        order_payments_lock(order.pk)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_the_order_and_its_payments_stay_locked_until_the_transaction_ends():
    order, payments = _order_with_payments(2)
    other_order = OrderFactory(channel=order.channel)
    other = separate_connection(autocommit=True)
    taken = "SELECT id FROM {} WHERE id = %s FOR NO KEY UPDATE NOWAIT"

    def free(table: str, row_id: int) -> bool:
        try:
            other.execute(taken.format(table), [row_id])
        except psycopg.errors.LockNotAvailable:
            return False
        return True

    try:
        with transaction.atomic():
            order_payments_lock(order.pk, order_fields=("id", "status"))
            assert not free("orders_order", order.pk)
            assert not any(free("payments_payment", p.pk) for p in payments)
            assert free("orders_order", other_order.pk)
            assert free("channels_saleschannel", order.channel_id)  # read, not locked
        assert free("orders_order", order.pk)
    finally:
        other.close()
