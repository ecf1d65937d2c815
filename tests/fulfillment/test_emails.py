import pytest
from django.core import mail
from django.utils import timezone

from fulfillment.emails import order_email_render
from fulfillment.models import OrderEmail
from fulfillment.tasks import order_email_send
from shop.orders.models import Order, OrderEventType, OrderStatus
from shop.payments.models import Refund
from tests.factories import PaymentFactory


def test_e_mails_are_rendered_in_the_order_language(two_warehouses):
    order = two_warehouses.paid_order()

    subject, text, html = order_email_render(order, "payment_received")
    assert subject == f"订单 {order.number} 付款成功"
    assert text.startswith("王小明，您好：")
    assert f"我们已收到订单 {order.number} 的付款 ¥{order.amount_paid}" in text
    assert two_warehouses.museum_stock.variant.sku in text
    assert "<strong>" in html and html.startswith("<!DOCTYPE html>")

    Order.objects.filter(pk=order.pk).update(language="en")
    order.refresh_from_db()
    subject, text, _ = order_email_render(order, "payment_received")
    assert subject == f"Payment received for {order.number}"
    assert text.startswith("Dear 王小明,")


@pytest.mark.parametrize("kind", ["order_confirmation", "payment_received", "shipped", "delivered"])
def test_every_kind_renders_in_both_languages(two_warehouses, kind):
    order = two_warehouses.paid_order()
    for language in ("zh", "en"):
        Order.objects.filter(pk=order.pk).update(language=language)
        order.refresh_from_db()
        subject, text, html = order_email_render(order, kind)
        assert order.number in subject
        assert order.number in text
        assert order.number in html


def test_an_e_mail_is_sent_once_however_often_the_task_runs(two_warehouses):
    order = two_warehouses.paid_order()

    assert order_email_send.apply(args=[order.pk, "payment_received"]).get() is True
    assert order_email_send.apply(args=[order.pk, "payment_received"]).get() is False

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [order.email]
    assert mail.outbox[0].alternatives[0][1] == "text/html"
    # The one e-mail of a paid order stands for its confirmation too.
    assert sorted(OrderEmail.objects.filter(order=order).values_list("key", "language")) == [
        ("order_confirmation", "zh"),
        ("payment_received", "zh"),
    ]
    event = order.events.get(type=OrderEventType.EMAIL_SENT)
    assert event.data == {"kind": "payment_received", "refund_id": None}


def test_each_refund_gets_its_own_e_mail(two_warehouses):
    order = two_warehouses.paid_order()
    payment = PaymentFactory(order=order, status="succeeded")
    first = Refund.objects.create(payment=payment, order=order, amount="10.00", status="succeeded")
    second = Refund.objects.create(payment=payment, order=order, amount="5.00", status="succeeded")

    for refund in (first, second, first):
        order_email_send.apply(args=[order.pk, "refund_issued", refund.pk])

    assert [m.subject for m in mail.outbox] == [f"订单 {order.number} 退款已完成"] * 2
    assert "¥10.00" in mail.outbox[0].body
    assert "¥5.00" in mail.outbox[1].body
    assert set(OrderEmail.objects.values_list("key", flat=True)) == {
        f"refund_issued:{first.pk}",
        f"refund_issued:{second.pk}",
    }


def test_an_unknown_kind_sends_nothing_and_is_not_retried(two_warehouses):
    order = two_warehouses.paid_order()

    assert order_email_send.apply(args=[order.pk, "newsletter"]).get() is False

    assert mail.outbox == []
    assert not OrderEmail.objects.exists()


def test_a_mail_server_failure_leaves_no_record_so_the_retry_sends(two_warehouses, monkeypatch):
    order = two_warehouses.paid_order()

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    with pytest.raises(ConnectionRefusedError):
        from fulfillment.emails import order_email_send as send_now

        send_now(order_id=order.pk, kind="shipped")
    assert not OrderEmail.objects.exists()
    assert not order.events.filter(type=OrderEventType.EMAIL_SENT).exists()
    assert ConnectionError in order_email_send.autoretry_for


def test_a_paid_order_gets_one_confirmation_that_does_not_ask_for_payment(two_warehouses):
    order = two_warehouses.paid_order()
    OrderEmail.objects.filter(order=order).delete()
    mail.outbox.clear()

    assert order_email_send.apply(args=(order.pk, "order_confirmation")).get() is True
    assert order_email_send.apply(args=(order.pk, "payment_received")).get() is False

    assert len(mail.outbox) == 1
    text = mail.outbox[0].body
    assert "已收到并已付款" in text
    assert "完成支付" not in text
    assert set(OrderEmail.objects.filter(order=order).values_list("key", flat=True)) == {
        "order_confirmation",
        "payment_received",
    }


def test_an_unpaid_order_is_asked_to_pay_and_told_of_its_payment_later(two_warehouses):
    from tests.factories import order_with_stock

    order = order_with_stock(
        channel=two_warehouses.channel, lines=[(two_warehouses.museum_stock.variant, 1)]
    )
    mail.outbox.clear()

    assert order_email_send.apply(args=(order.pk, "order_confirmation")).get() is True

    assert len(mail.outbox) == 1
    assert "请在规定时间内完成支付" in mail.outbox[0].body
    assert list(OrderEmail.objects.filter(order=order).values_list("key", flat=True)) == [
        "order_confirmation"
    ]

    Order.objects.filter(pk=order.pk).update(
        status=OrderStatus.PAID, paid_at=timezone.now(), amount_paid=order.total
    )
    assert order_email_send.apply(args=(order.pk, "payment_received")).get() is True
    assert order_email_send.apply(args=(order.pk, "payment_received")).get() is False
    assert order_email_send.apply(args=(order.pk, "order_confirmation")).get() is False

    assert len(mail.outbox) == 2
    assert f"我们已收到订单 {order.number} 的付款" in mail.outbox[1].body
    assert sorted(OrderEmail.objects.filter(order=order).values_list("key", flat=True)) == [
        "order_confirmation",
        "payment_received",
    ]


def test_an_order_email_reads_its_order_and_what_was_sent_in_one_statement(
    two_warehouses, django_assert_num_queries
):
    """Pinned: the order with whether the e-mail was sent (one SELECT), its lines, the
    e-mail's row and event, with the savepoint the test's transaction adds; sent again,
    the first statement alone says it was."""
    from fulfillment.emails import order_email_send as send_now
    from tests.factories import order_with_stock

    order = order_with_stock(
        channel=two_warehouses.channel, lines=[(two_warehouses.museum_stock.variant, 1)]
    )
    mail.outbox.clear()

    with django_assert_num_queries(6):
        assert send_now(order_id=order.pk, kind="order_confirmation") is True
    with django_assert_num_queries(1):
        assert send_now(order_id=order.pk, kind="order_confirmation") is False

    assert len(mail.outbox) == 1
    assert order.number in mail.outbox[0].subject
