"""A staff refund sent with an Idempotency-Key is made once, however many times and however
close together the request arrives (on the real PostgreSQL)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from shop.orders.errors import IdempotencyKeyReused
from shop.payments.models import Refund
from shop.payments.refunds import refund_create
from tests.shop.payments.helpers import paid_order


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_the_same_refund_sent_at_once_with_one_key_is_made_once(spy):
    order, _payment = paid_order(quantity=2)  # 198.00
    barrier = threading.Barrier(4)
    made: list[int] = []

    def refund() -> None:
        try:
            barrier.wait()
            made.append(
                refund_create(
                    order=order,
                    amount=Decimal("60.00"),
                    reason="",
                    user=None,
                    idempotency_key="k-1",
                    fingerprint="same request",
                ).pk
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=refund) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    (refund_made,) = Refund.objects.filter(order=order)
    assert made == [refund_made.pk] * 4
    assert refund_made.amount == Decimal("60.00")
    with pytest.raises(IdempotencyKeyReused):
        refund_create(
            order=order,
            amount=Decimal("70.00"),
            reason="",
            user=None,
            idempotency_key="k-1",
            fingerprint="another request",
        )
    assert Refund.objects.filter(order=order).count() == 1
