"""E-mails whose task was lost (the broker was down) are sent by the sweep, once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from fulfillment.emails import order_emails_owed
from fulfillment.models import OrderEmail
from fulfillment.tasks import order_emails_sweep
from shop.orders.models import Order, OrderStatus
from tests.selling_factories import order_with_stock

pytestmark = pytest.mark.django_db


def _age(order, minutes=10):
    Order.objects.filter(pk=order.pk).update(updated_at=timezone.now() - timedelta(minutes=minutes))


def test_paid_order_without_its_emails_gets_them_from_the_sweep():
    order = order_with_stock(status=OrderStatus.PAID, email="reader@example.com")
    OrderEmail.objects.filter(order=order).delete()
    _age(order)
    mail.outbox.clear()

    assert order_emails_sweep() == 2
    assert sorted(OrderEmail.objects.filter(order=order).values_list("key", flat=True)) == [
        "order_confirmation",
        "payment_received",
    ]
    assert len(mail.outbox) == 2
    assert all(message.to == ["reader@example.com"] for message in mail.outbox)
    assert order_emails_sweep() == 0
    assert len(mail.outbox) == 2


def test_unpaid_order_is_owed_only_its_confirmation_and_expired_ones_nothing():
    pending = order_with_stock()
    expired = order_with_stock()
    Order.objects.filter(pk=expired.pk).update(status=OrderStatus.EXPIRED)
    _age(pending)
    _age(expired)
    now = timezone.now()
    owed = order_emails_owed(since=now - timedelta(days=2), before=now - timedelta(minutes=2))
    assert owed == [(pending.pk, "order_confirmation", None)]


def test_just_changed_orders_are_left_to_their_own_task():
    order = order_with_stock(status=OrderStatus.PAID)
    OrderEmail.objects.filter(order=order).delete()
    now = timezone.now()
    assert order_emails_owed(since=now - timedelta(days=2), before=now - timedelta(minutes=2)) == []
