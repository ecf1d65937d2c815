"""The beat schedule run inside the development server, where tasks run in-process."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.core.management import call_command
from django.utils import timezone

from shop.ops import beat
from shop.orders.holds import Reservation, ReservationStatus
from shop.orders.models import Order, OrderStatus
from tests.factories import order_with_stock
from tests.waiting import wait_until


@pytest.mark.django_db(transaction=True)
def test_what_fell_due_while_the_shop_was_stopped_runs_when_it_starts():
    order = order_with_stock()
    past = timezone.now() - dt.timedelta(minutes=5)
    Order.objects.filter(pk=order.pk).update(expires_at=past)
    Reservation.objects.filter(order_line__order=order).update(expires_at=past)

    service = beat.in_process_beat_start()
    try:
        assert wait_until(
            lambda: Order.objects.get(pk=order.pk).status == OrderStatus.EXPIRED, seconds=20
        )
        assert not Reservation.objects.filter(
            order_line__order=order, status=ReservationStatus.ACTIVE
        ).exists()
    finally:
        service.stop()


def test_a_schedule_entry_naming_an_unknown_task_is_an_error_not_a_lost_message():
    scheduler = beat.InProcessScheduler(app=beat.app, lazy=True)
    with pytest.raises(LookupError):
        scheduler.send_task("orders.no_such_task", (), {})


def test_the_beat_runs_only_where_tasks_run_in_process(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.SHOP_IN_PROCESS_BEAT = True
    assert beat.in_process_beat_wanted()
    settings.SHOP_IN_PROCESS_BEAT = False
    assert not beat.in_process_beat_wanted()
    settings.SHOP_IN_PROCESS_BEAT = True
    settings.CELERY_TASK_ALWAYS_EAGER = False  # a worker and a beat of their own
    assert not beat.in_process_beat_wanted()


def test_runserver_is_the_shops_own(monkeypatch):
    from django.core.management import get_commands

    assert get_commands()["runserver"] == "shop.ops"
    # Django's own server is not started: only what the shop adds before it is run.
    monkeypatch.setattr(
        "django.core.management.commands.runserver.Command.inner_run", lambda *a, **k: None
    )
    before = set(threading.enumerate())
    out = io.StringIO()

    call_command("runserver", "127.0.0.1:0", use_reloader=False, skip_checks=True, stdout=out)

    started = [thread for thread in threading.enumerate() if thread not in before]
    try:
        assert "Periodic tasks run in this process" in out.getvalue()
        assert [type(thread).__name__ for thread in started] == ["_Threaded"]
    finally:
        for thread in started:
            thread.stop()  # type: ignore[attr-defined]
