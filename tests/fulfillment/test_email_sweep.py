"""E-mails whose task was lost (the broker was down) are sent by the sweep, once; an
e-mail is owed by the time of its event, never by an order's last change."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from fulfillment.emails import CATCH_UP_WINDOW, order_emails_owed
from fulfillment.models import OrderEmail
from fulfillment.tasks import order_emails_sweep
from shop.orders.fapiao.models import FapiaoRequest
from shop.orders.models import Order, OrderEvent, OrderEventType, OrderStatus
from tests.factories import order_with_stock

pytestmark = pytest.mark.django_db


def _placed(order, *, minutes_ago: float) -> None:
    OrderEvent.objects.create(order=order, type=OrderEventType.PLACED, to_status=order.status)
    _events_age(order, minutes_ago)


def _events_age(order, minutes_ago: float) -> None:
    OrderEvent.objects.filter(order=order).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago)
    )


def _owed() -> list:
    now = timezone.now()
    return order_emails_owed(since=now - CATCH_UP_WINDOW, before=now - timedelta(minutes=2))


def test_paid_order_without_its_emails_gets_them_from_the_sweep():
    order = order_with_stock(status=OrderStatus.PAID, email="reader@example.com")
    _placed(order, minutes_ago=10)
    OrderEmail.objects.filter(order=order).delete()
    _events_age(order, 10)
    mail.outbox.clear()

    assert order_emails_sweep() == 2  # both are owed; one e-mail stands for both
    assert sorted(OrderEmail.objects.filter(order=order).values_list("key", flat=True)) == [
        "order_confirmation",
        "payment_received",
    ]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["reader@example.com"]
    assert order_emails_sweep() == 0
    assert len(mail.outbox) == 1


def test_unpaid_order_is_owed_only_its_confirmation_and_expired_ones_nothing():
    pending = order_with_stock()
    expired = order_with_stock()
    Order.objects.filter(pk=expired.pk).update(status=OrderStatus.EXPIRED)
    _placed(pending, minutes_ago=10)
    _placed(expired, minutes_ago=10)

    assert _owed() == [(pending.pk, "order_confirmation", None)]


def test_just_changed_orders_are_left_to_their_own_task():
    order = order_with_stock(status=OrderStatus.PAID)
    _placed(order, minutes_ago=0)
    OrderEmail.objects.filter(order=order).delete()

    assert _owed() == []


def test_an_old_event_owes_nothing_however_recently_its_order_changed():
    order = order_with_stock(status=OrderStatus.PAID)
    _placed(order, minutes_ago=10)
    OrderEmail.objects.filter(order=order).delete()
    _events_age(order, CATCH_UP_WINDOW.total_seconds() / 60 + 5)
    # A bulk update touches the order today: that is no event of the shopper's.
    Order.objects.filter(pk=order.pk).update(updated_at=timezone.now() - timedelta(minutes=10))
    mail.outbox.clear()

    assert _owed() == []
    assert order_emails_sweep() == 0
    assert mail.outbox == []


def test_loading_the_demo_and_running_every_periodic_task_mails_no_shopper():
    from io import StringIO

    from django.core.management import call_command

    from partners.models import Partner
    from shop.accounts.models import User
    from shop.celery import app

    call_command("load_demo", "--no-keys-file", stdout=StringIO())
    mail.outbox.clear()
    app.loader.import_default_modules()
    daily_report = "fulfillment.stock_low_alerts_send"
    for entry in app.conf.beat_schedule.values():
        if entry["task"] != daily_report:
            app.tasks[entry["task"]].apply()

    assert [message.subject for message in mail.outbox] == []

    # The morning's low-stock report goes to the partners and their staff, never to a
    # shopper.
    app.tasks[daily_report].apply()
    staff = set(User.objects.filter(is_staff=True).values_list("email", flat=True))
    staff |= set(Partner.objects.values_list("contact_email", flat=True))
    assert mail.outbox
    assert {address for message in mail.outbox for address in message.to} <= staff


def test_an_issued_fapiao_whose_e_mail_was_lost_is_told_by_the_sweep():
    order = order_with_stock(email="reader@example.com")
    FapiaoRequest.objects.create(
        order=order,
        title_type="personal",
        title="李梅",
        status="issued",
        issued_at=timezone.now(),
        fapiao_number="2411",
    )
    OrderEvent.objects.create(order=order, type=OrderEventType.FAPIAO_ISSUED)
    _events_age(order, 10)
    assert (order.pk, "fapiao_issued", None) in _owed()
    order_emails_sweep()
    assert [m.to for m in mail.outbox if "2411" in m.body] == [["reader@example.com"]]
    assert (order.pk, "fapiao_issued", None) not in _owed()
