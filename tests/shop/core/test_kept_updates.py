"""Updates compiled once (shop/core/kept_updates.py), on every engine: the rows and values
``update()`` and ``save(update_fields=...)`` would write, the SQL they send."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.db.models import F, signals
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shop.core.kept_statements import ID_FIELD, Slot
from shop.core.kept_updates import KeptSave, KeptUpdate
from shop.orders.models import Order, OrderStatus
from shop.payments.models import Payment, PaymentStatus
from tests.factories import SalesChannelFactory
from tests.factories.selling import OrderFactory

pytestmark = pytest.mark.django_db

_SEEN = Slot("seen", Order._meta.get_field("status"))
_SEEN_AS_STATUS = Slot("status", Order._meta.get_field("status"))
_FIELDS = ["status", "paid_at", "amount_paid", "expires_at", "updated_at"]


def _paid_change() -> KeptUpdate[Order]:
    return KeptUpdate(Order.objects.filter(pk=Slot("order_id", ID_FIELD), status=_SEEN), _FIELDS)


def _payment(order: Order) -> Payment:
    return Payment.objects.create(
        order=order, provider="fake", amount=order.total, currency=order.currency
    )


def test_the_row_is_the_one_update_writes():
    orders = [OrderFactory(), OrderFactory()]
    now = timezone.now()
    values = {
        "status": OrderStatus.PAID,
        "paid_at": now,
        "amount_paid": Decimal("12.34"),
        "expires_at": None,
        "updated_at": now,
    }
    seen = OrderStatus.PENDING_PAYMENT
    assert Order.objects.filter(pk=orders[0].pk, status=seen).update(**values) == 1
    with CaptureQueriesContext(connection) as kept:
        assert _paid_change().update(order_id=orders[1].pk, seen=seen, **values) == 1
    assert len(kept) == 1
    rows = [
        Order.objects.values_list("status", "paid_at", "amount_paid", "expires_at").get(pk=o.pk)
        for o in orders
    ]
    assert rows[0] == rows[1] == (OrderStatus.PAID, now, Decimal("12.34"), None)
    # The status it changed from is no longer the one seen: nothing changed.
    assert _paid_change().update(order_id=orders[1].pk, seen=seen, **values) == 0


def test_compiled_once_per_connection(monkeypatch):
    kept = _paid_change()
    compiled = []
    compile_ = kept._compile
    monkeypatch.setattr(kept, "_compile", lambda alias: compiled.append(alias) or compile_(alias))
    now = timezone.now()
    for order in (OrderFactory(), OrderFactory()):
        kept.update(
            order_id=order.pk,
            seen=OrderStatus.PENDING_PAYMENT,
            status=OrderStatus.PAID,
            paid_at=now,
            amount_paid=order.total,
            expires_at=None,
            updated_at=now,
        )
    assert compiled == ["default"]
    assert list(kept._compiled) == [connections["default"]]


def test_what_is_not_kept_is_refused():
    order = OrderFactory()
    kept = KeptUpdate(Order.objects.filter(pk=Slot("order_id", ID_FIELD)), ["amount_paid"])
    with pytest.raises(ValueError, match="expressions"):
        kept.update(order_id=order.pk, amount_paid=F("total"))
    with pytest.raises(ValueError, match="None"):
        kept.update(order_id=None, amount_paid=Decimal("1.00"))
    with pytest.raises(TypeError, match="wanted"):
        kept.update(order_id=order.pk)
    across = KeptUpdate(Order.objects.filter(channel__code=Slot("code", ID_FIELD)), ["note"])
    with pytest.raises(ValueError, match="other tables"):
        across.update(code=1, note="x")
    clash = KeptUpdate(Order.objects.filter(status=_SEEN_AS_STATUS), ["status"])
    with pytest.raises(ValueError, match="slot named as a field"):
        clash.update(status=OrderStatus.PAID)
    assert Order.objects.get(pk=order.pk).amount_paid == order.amount_paid


def test_an_instance_set_on_a_foreign_key_is_written_as_update_writes_it():
    order, channel = OrderFactory(), SalesChannelFactory()
    assert order.channel_id != channel.pk
    kept = KeptUpdate(Order.objects.filter(pk=Slot("order_id", ID_FIELD)), ["channel"])
    assert kept.update(order_id=order.pk, channel=channel) == 1
    assert Order.objects.get(pk=order.pk).channel_id == channel.pk


def test_a_kept_save_writes_what_save_writes():
    fields = ["status", "failure_code", "fee", "succeeded_at", "updated_at"]
    saved, kept = _payment(OrderFactory()), _payment(OrderFactory())
    for payment in (saved, kept):
        payment.status, payment.failure_code = PaymentStatus.SUCCEEDED, ""
        payment.fee, payment.succeeded_at = Decimal("0.61"), timezone.now()
    before = kept.updated_at
    saved.save(update_fields=fields)
    with CaptureQueriesContext(connection) as queries:
        KeptSave(Payment, fields).save(kept)
    assert len(queries) == 1
    assert kept.updated_at > before  # auto_now, as save() sets it
    read = ("status", "failure_code", "fee", "succeeded_at", "updated_at", "amount")
    assert Payment.objects.values_list(*read).get(pk=kept.pk) == tuple(
        getattr(kept, name) for name in read
    )
    assert Payment.objects.values_list(*read).get(pk=saved.pk)[:3] == (
        PaymentStatus.SUCCEEDED,
        "",
        Decimal("0.61"),
    )


def test_a_kept_save_of_a_missing_row_is_refused_and_of_a_listened_model_is_heard():
    heard_saves = []

    def heard(instance, update_fields, **kwargs):
        heard_saves.append((instance.pk, instance.status, sorted(update_fields)))

    payment = _payment(OrderFactory())
    save = KeptSave(Payment, ["status", "updated_at"])
    gone = Payment.objects.get(pk=payment.pk)
    Payment.objects.filter(pk=payment.pk).delete()
    with pytest.raises(DatabaseError, match="did not affect any rows"):
        save.save(gone)
    other = _payment(OrderFactory())
    other.status = PaymentStatus.FAILED
    signals.pre_save.connect(heard, sender=Payment)
    try:
        save.save(other)  # through the ORM, so the listener hears it
    finally:
        signals.pre_save.disconnect(heard, sender=Payment)
    assert heard_saves == [(other.pk, PaymentStatus.FAILED, ["status", "updated_at"])]
    assert Payment.objects.get(pk=other.pk).status == PaymentStatus.FAILED


def test_a_refused_update_marks_the_transaction_for_rollback_as_update_does():
    order = OrderFactory()
    kept = KeptUpdate(Order.objects.filter(pk=Slot("order_id", ID_FIELD)), ["total"])
    with transaction.atomic():
        with pytest.raises(IntegrityError):
            kept.update(order_id=order.pk, total=Decimal("-1.00"))  # a total is never negative
        assert connection.needs_rollback
    assert Order.objects.get(pk=order.pk).total == order.total
