"""Faults on the real services: the database connection dropping mid-request, PostgreSQL
restarting, deadlocks, and what the shopper then sees. After each, the books agree.

PostgreSQL itself is never restarted (other runs share the server): a restart is what
its clients see of it, every backend of the shop's database terminated at once.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import OperationalError, connection, transaction

from catalog.models import MovementReason, Stock, StockMovement
from catalog.stock.movements import stock_change
from shop.carts.models import Cart
from shop.checkout import order_create as checkout_order_create
from shop.core.db import is_retryable, transaction_retry
from shop.orders.holds import Reservation
from shop.orders.models import Order, OrderEvent, OrderLine, OrderStatus
from shop.payments import confirmation as payment_confirmation
from shop.payments import services as payment_services
from shop.payments.models import Payment, PaymentStatus
from tests import factories
from tests.hardening.conftest import assert_invariants
from tests.hardening.faults import WebClient, backends_terminate, cut_off_inside, little_shop

pytestmark = [pytest.mark.postgresql, pytest.mark.faults, pytest.mark.django_db(transaction=True)]

UNAVAILABLE = {
    "code": "service_unavailable",
    "message": "The service is temporarily unavailable; please retry shortly.",
    "fields": {},
}


def _written() -> dict[str, Any]:
    """What placing or paying an order could have written."""
    return {
        "orders": Order.objects.count(),
        "lines": OrderLine.objects.count(),
        "reservations": Reservation.objects.count(),
        "events": OrderEvent.objects.count(),
        "stock": list(Stock.objects.values_list("pk", "quantity", "quantity_reserved")),
        "movements": StockMovement.objects.count(),
        "carts": list(Cart.objects.values_list("pk", "status")),
    }


@pytest.mark.parametrize("everyone", [False, True], ids=["own-connection", "restart"])
def test_losing_the_database_while_placing_an_order_answers_503_and_writes_nothing(everyone):
    shop = little_shop()
    web = WebClient(shop.token)
    cart = web.cart_ready(shop, quantity=2)
    before = _written()

    # The order and its lines are written; then the connection goes, before the stock
    # is held: the transaction never commits, so none of it may be left.
    with cut_off_inside(checkout_order_create, "lines_allocate", everyone=everyone) as cut:
        status, body = web.place(shop, cart, key="order-1")

    assert cut and cut[0] >= 1
    assert (status, body) == (503, UNAVAILABLE)
    connection.close()
    assert _written() == before
    assert_invariants()

    # The shopper retries with the same key: one order, stock held once.
    status, body = web.place(shop, cart, key="order-1")
    assert status == 201, body
    assert web.place(shop, cart, key="order-1")[0] == 200
    assert Order.objects.count() == 1
    assert Stock.objects.values_list("quantity", "quantity_reserved").get() == (10, 2)
    assert_invariants()


def test_losing_the_database_while_a_payment_is_applied_loses_no_money():
    shop = little_shop()
    web = WebClient(shop.token)
    status, order = web.place(shop, web.cart_ready(shop), key="order-1")
    assert status == 201

    with cut_off_inside(payment_confirmation, "order_mark_paid", everyone=False):
        status, body = web.pay(order["number"])

    assert (status, body) == (503, UNAVAILABLE)
    connection.close()
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.PENDING
    assert Order.objects.get().status == OrderStatus.PENDING_PAYMENT
    assert_invariants()

    # The provider took the money; the sweep that re-reads stale payments applies it once.
    payment_services.payment_sync(payment_id=payment.pk)
    payment_services.payment_sync(payment_id=payment.pk)
    order_row = Order.objects.get()
    assert order_row.status in (OrderStatus.PAID, OrderStatus.FULFILLING)
    assert order_row.amount_paid == payment.amount
    assert OrderEvent.objects.filter(type="payment_succeeded").count() == 1
    assert_invariants()


@pytest.mark.parametrize("health_checks", [True, False], ids=["health-checks", "no-checks"])
def test_postgres_restart_between_requests(health_checks):
    """Web processes keep their connections (CONN_MAX_AGE). With connection health checks
    (as production runs) a restart goes unnoticed; without them one request answers 503
    in the error shape and the dead connection is dropped, so the next one is served."""
    shop = little_shop()
    web = WebClient(shop.token)
    saved = {
        key: connection.settings_dict.get(key) for key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS")
    }
    connection.close()
    connection.settings_dict.update(CONN_MAX_AGE=60, CONN_HEALTH_CHECKS=health_checks)
    try:
        assert web.call("GET", "/api/v1/me/")[0] == 200
        assert connection.connection is not None  # kept open for the next request

        assert backends_terminate() >= 1

        status, body = web.call("GET", "/api/v1/me/")
        if not health_checks:
            assert (status, body) == (503, UNAVAILABLE)
            status, body = web.call("GET", "/api/v1/me/")
        assert status == 200, body
        assert body["email"] == shop.shopper.email
    finally:
        connection.close()
        connection.settings_dict.update(saved)
    assert_invariants()


# -- deadlocks and serialization failures are retried ------------------------------------


def _threads(*targets: Any) -> list[BaseException]:
    errors: list[BaseException] = []

    def run(target: Any) -> None:
        try:
            target()
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    return errors


def test_a_deadlock_is_retried_and_the_work_is_done_exactly_once():
    first = factories.StockFactory()
    second = factories.StockFactory()
    both_locked_one = threading.Barrier(2, timeout=10)
    attempts: list[str] = []

    def transfer(name: str, one: Stock, other: Stock) -> Any:
        @transaction_retry(attempts=3, base_delay=0.01)
        @transaction.atomic
        def work() -> None:
            attempts.append(name)
            stock_change(stock_id=one.pk, delta=1, reason=MovementReason.RECEIPT, reference=name)
            if attempts.count(name) == 1:
                both_locked_one.wait()  # each holds one row; now each asks for the other's
            stock_change(stock_id=other.pk, delta=1, reason=MovementReason.RECEIPT, reference=name)

        return work

    errors = _threads(transfer("ab", first, second), transfer("ba", second, first))

    assert errors == []
    # PostgreSQL aborted one of the two; it ran again, and each ran to the end once.
    assert sorted(attempts) in (["ab", "ab", "ba"], ["ab", "ba", "ba"])
    for stock in (first, second):
        stock.refresh_from_db()
        assert stock.quantity == 2
        assert sorted(stock.movements.values_list("reference", flat=True)) == ["ab", "ba"]
    assert_invariants()


def _serialization_failure() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "DO $$ BEGIN RAISE EXCEPTION 'could not serialize access' "
            "USING ERRCODE = 'serialization_failure'; END $$"
        )


def test_a_serialization_failure_is_retried_with_nothing_of_the_failed_attempt_kept():
    stock = factories.StockFactory()
    calls: list[int] = []

    @transaction_retry(base_delay=0.001)
    @transaction.atomic
    def receive() -> None:
        calls.append(1)
        stock_change(stock_id=stock.pk, delta=5, reason=MovementReason.RECEIPT)
        if len(calls) < 3:
            _serialization_failure()

    receive()

    assert len(calls) == 3
    stock.refresh_from_db()
    assert stock.quantity == 5
    assert stock.movements.count() == 1
    assert_invariants()


def test_retries_are_bounded_and_the_last_failure_is_raised():
    stock = factories.StockFactory()
    calls: list[int] = []

    @transaction_retry(attempts=3, base_delay=0.001)
    @transaction.atomic
    def always_fails() -> None:
        calls.append(1)
        stock_change(stock_id=stock.pk, delta=1, reason=MovementReason.RECEIPT)
        _serialization_failure()

    with pytest.raises(OperationalError) as failure:
        always_fails()

    assert is_retryable(failure.value)
    assert len(calls) == 3
    assert StockMovement.objects.count() == 0
    assert Stock.objects.get().quantity == 0


def test_other_errors_and_work_inside_a_callers_transaction_are_not_retried():
    calls: list[str] = []

    @transaction_retry
    def unique_violation() -> None:
        calls.append("unique")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "DO $$ BEGIN RAISE EXCEPTION 'dup' USING ERRCODE = 'unique_violation'; END $$"
            )

    @transaction_retry
    def inner() -> None:
        calls.append("inner")
        _serialization_failure()

    with pytest.raises(Exception) as failure:
        unique_violation()
    assert not is_retryable(failure.value)
    with pytest.raises(OperationalError), transaction.atomic():
        inner()  # only the caller can start its own transaction over
    assert calls == ["unique", "inner"]
