import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from shop.orders.fapiao.models import FapiaoRequest
from shop.orders.fapiao.tax_numbers import tax_number_valid
from shop.orders.models import Order, OrderEvent
from tests import factories
from tests.shop.conftest import ADDRESS_CN

pytestmark = pytest.mark.django_db

USCC = "91350100M000100Y43"
PDF = b"%PDF-1.7 fapiao 12345"


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        (USCC, True),
        ("91110000600037341L", True),
        ("9111 0000 6000 3734 1l", True),  # spaces and lower case are tidied
        ("91350100M000100Y44", False),  # wrong check character
        ("91350100M000100I43", False),  # I is not in the code's alphabet
        ("110108D2143569X", True),  # division code + organisation code D2143569-X
        ("110108D21435691", False),
        ("11010519491231002X01", True),  # resident identity number + two
        ("11010519491231002101", False),
        ("12345", False),
    ],
)
def test_taxpayer_numbers(number, valid):
    assert tax_number_valid(number) is valid


def buy(client, shop, fapiao, key="fapiao-1"):
    return client.post(
        f"/api/v1/orders/?channel={shop.channel.code}",
        {
            "lines": [{"sku": shop.variant.sku, "quantity": 1}],
            "email": "mei@example.com",
            "shipping_address": ADDRESS_CN,
            "shipping_method": "standard",
            "fapiao": fapiao,
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY=key,
    )


def test_a_company_fapiao_asked_at_checkout_is_issued_and_downloaded(small_shop):
    mei = factories.UserFactory(email="mei@example.com")
    shopper = APIClient()
    shopper.force_authenticate(mei)
    placed = buy(
        shopper,
        small_shop,
        {"title_type": "company", "title": "故宫文创有限公司", "tax_number": USCC.lower()},
    )
    assert placed.status_code == 201, placed.json()
    number = placed.json()["number"]
    fapiao = FapiaoRequest.objects.get(order__number=number)
    assert (fapiao.title_type, fapiao.tax_number, fapiao.status) == ("company", USCC, "requested")
    early = shopper.get(f"/api/v1/orders/{number}/fapiao/file/")
    assert early.status_code == 409
    assert early.json()["code"] == "fapiao_not_issued"

    staff = APIClient()
    staff.force_authenticate(factories.SuperuserFactory())
    waiting = staff.get("/api/v1/staff/fapiao/?status=requested").json()
    assert [row["order"] for row in waiting["results"]] == [number]
    issued = staff.post(
        f"/api/v1/staff/orders/{number}/fapiao/issue/",
        {
            "fapiao_number": "24110000000012345678",
            "file": SimpleUploadedFile("f.pdf", PDF, "application/pdf"),
        },
        format="multipart",
    )
    assert issued.status_code == 200, issued.json()
    assert issued.json()["status"] == "issued"

    seen = shopper.get(f"/api/v1/orders/{number}/fapiao/").json()
    assert (seen["status"], seen["fapiao_number"]) == ("issued", "24110000000012345678")
    download = shopper.get(f"/api/v1/orders/{number}/fapiao/file/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download.content == PDF
    events = OrderEvent.objects.filter(order__number=number).values_list("type", flat=True)
    assert {"fapiao_requested", "fapiao_issued"} <= set(events)

    stranger = APIClient()
    stranger.force_authenticate(factories.UserFactory())
    assert stranger.get(f"/api/v1/orders/{number}/fapiao/file/").status_code == 404


@pytest.mark.parametrize(
    ("fapiao", "field"),
    [
        ({"title_type": "company", "title": "某公司"}, "fapiao.tax_number"),
        (
            {"title_type": "company", "title": "某公司", "tax_number": "91350100M000100Y44"},
            "fapiao.tax_number",
        ),
        ({"title_type": "personal", "title": "  "}, "fapiao"),
    ],
)
def test_a_wrong_fapiao_title_places_nothing(api_client, small_shop, fapiao, field):
    response = buy(api_client, small_shop, fapiao)
    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]
    assert not Order.objects.exists()
    assert not FapiaoRequest.objects.exists()


def test_a_guest_asks_after_placing_once(api_client, small_shop):
    placed = buy(api_client, small_shop, None)
    assert placed.status_code == 400  # null is not a fapiao
    placed = api_client.post(
        f"/api/v1/orders/?channel={small_shop.channel.code}",
        {
            "lines": [{"sku": small_shop.variant.sku, "quantity": 1}],
            "email": "guest@example.com",
            "shipping_address": ADDRESS_CN,
            "shipping_method": "standard",
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="guest-1",
    )
    number = placed.json()["number"]
    url = f"/api/v1/orders/{number}/fapiao/?email=guest@example.com"
    asked = api_client.post(url, {"title_type": "personal", "title": "李伟"}, format="json")
    assert asked.status_code == 201, asked.json()
    again = api_client.post(url, {"title_type": "personal", "title": "李伟"}, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "fapiao_already_requested"
    wrong = api_client.get(f"/api/v1/orders/{number}/fapiao/?email=other@example.com")
    assert wrong.status_code == 404


def test_issuing_needs_a_file_of_a_fapiao_kind(small_shop):
    order = factories.order_with_stock(channel=small_shop.channel, lines=[(small_shop.variant, 1)])
    FapiaoRequest.objects.create(order=order, title_type="personal", title="李伟")
    staff = APIClient()
    staff.force_authenticate(factories.SuperuserFactory())
    url = f"/api/v1/staff/orders/{order.number}/fapiao/issue/"
    missing = staff.post(url, {"fapiao_number": "1"}, format="multipart")
    assert missing.status_code == 400
    assert list(missing.json()["fields"]) == ["file"]
    exe = SimpleUploadedFile("x.exe", b"MZ", "application/x-msdownload")
    assert (
        staff.post(url, {"fapiao_number": "1", "file": exe}, format="multipart").status_code == 400
    )
    assert FapiaoRequest.objects.get().status == "requested"


def test_staff_issue_a_fapiao_in_the_admin(client, small_shop):
    order = factories.order_with_stock(channel=small_shop.channel, lines=[(small_shop.variant, 1)])
    fapiao = FapiaoRequest.objects.create(order=order, title_type="personal", title="李伟")
    client.force_login(factories.SuperuserFactory())
    url = f"/admin/orders/fapiaorequest/{fapiao.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"fapiao_number": "2411", "upload": SimpleUploadedFile("f.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 302
    fapiao.refresh_from_db()
    assert (fapiao.status, fapiao.fapiao_number, bytes(fapiao.file_content)) == (
        "issued",
        "2411",
        PDF,
    )
