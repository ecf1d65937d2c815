"""The e-mail that tells the shopper their fapiao is issued: sent once through the shop's
e-mail task, in the order's language, with a link that downloads the file."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from fulfillment.models import OrderEmail
from shop.orders.fapiao.models import FapiaoRequest
from shop.orders.models import Order
from tests import factories

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7 fapiao 12345"


@pytest.fixture
def requested(small_shop):
    mei = factories.UserFactory(email="mei@example.com")
    order = factories.order_with_stock(
        channel=small_shop.channel,
        lines=[(small_shop.variant, 1)],
        email="mei@example.com",
        user=mei,
    )
    FapiaoRequest.objects.create(order=order, title_type="personal", title="李梅")
    return order


def issue(capture, order, number="24110000000012345678", content=PDF):
    staff = APIClient()
    staff.force_authenticate(factories.SuperuserFactory())
    with capture(execute=True):
        return staff.post(
            f"/api/v1/staff/orders/{order.number}/fapiao/issue/",
            {
                "fapiao_number": number,
                "file": SimpleUploadedFile("f.pdf", content, "application/pdf"),
            },
            format="multipart",
        )


def link_of(message) -> str:
    return re.search(r"http://\S+/api/v1(/orders/\S+/fapiao/file/\?token=\S+)", message.body)[1]


def test_the_shopper_is_told_once_in_chinese_with_a_link_to_the_file(
    requested, django_capture_on_commit_callbacks
):
    assert issue(django_capture_on_commit_callbacks, requested).status_code == 200
    [message] = mail.outbox
    assert message.to == ["mei@example.com"]
    assert message.subject == f"订单 {requested.number} 的发票已开具"
    assert "24110000000012345678" in message.body
    assert "您的订单" in message.body and "Dear" not in message.body
    assert "下载发票" in message.alternatives[0][0]
    # Saved a second time (a correction replaces the file): no second e-mail.
    again = issue(django_capture_on_commit_callbacks, requested, content=b"%PDF fixed")
    assert again.status_code == 200
    assert len(mail.outbox) == 1
    assert list(OrderEmail.objects.values_list("kind", "to")) == [
        ("fapiao_issued", "mei@example.com")
    ]
    # The link opens the file without signing in (an account's order), the latest one.
    anyone = APIClient()
    download = anyone.get(f"/api/v1{link_of(message)}")
    assert download.status_code == 200
    assert download.content == b"%PDF fixed"
    assert anyone.get(f"/api/v1/orders/{requested.number}/fapiao/file/").status_code == 404


def test_in_english_for_an_english_order(requested, django_capture_on_commit_callbacks):
    Order.objects.filter(pk=requested.pk).update(language="en")
    issue(django_capture_on_commit_callbacks, requested)
    [message] = mail.outbox
    assert message.subject == f"Your fapiao for order {requested.number} is ready"
    assert f"The fapiao for your order {requested.number} has been issued." in message.body
    assert "发票" not in message.body


def test_issued_in_the_admin_tells_the_shopper_too(
    client, requested, django_capture_on_commit_callbacks
):
    fapiao = FapiaoRequest.objects.get(order=requested)
    client.force_login(factories.SuperuserFactory())
    url = f"/admin/orders/fapiaorequest/{fapiao.pk}/change/"
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            upload = SimpleUploadedFile("f.pdf", PDF, "application/pdf")
            response = client.post(url, {"fapiao_number": "2411", "upload": upload})
        assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["mei@example.com"]]


@pytest.mark.parametrize("tamper", ["other_order", "forged", "expired"])
def test_a_wrong_or_old_link_opens_nothing(
    requested, small_shop, django_capture_on_commit_callbacks, settings, tamper
):
    issue(django_capture_on_commit_callbacks, requested)
    path = link_of(mail.outbox[0])
    if tamper == "other_order":
        other = factories.order_with_stock(
            channel=small_shop.channel, lines=[(small_shop.variant, 1)]
        )
        FapiaoRequest.objects.create(
            order=other, title_type="personal", title="x", status="issued", issued_at=timezone.now()
        )
        path = path.replace(requested.number, other.number)
    elif tamper == "forged":
        path = path[:-3] + ("aaa" if not path.endswith("aaa") else "bbb")
    else:
        settings.FAPIAO_LINK_DAYS = 30
        FapiaoRequest.objects.update(issued_at=timezone.now() - dt.timedelta(days=30, seconds=1))
    response = APIClient().get(f"/api/v1{path}")
    assert (response.status_code, response.json()["code"]) == (400, "link_invalid")


def test_no_e_mail_for_an_order_whose_person_was_erased(
    requested, django_capture_on_commit_callbacks
):
    Order.objects.filter(pk=requested.pk).update(email="")
    assert issue(django_capture_on_commit_callbacks, requested).status_code == 200
    assert mail.outbox == []
