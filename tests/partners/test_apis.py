"""The partner API: the permission matrix, each partner's own figures, statements."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from partners.models import Settlement
from partners.reports.rollups import report_rows_current
from tests import factories
from tests.conftest import client_for
from tests.factories.ledger import SHANGHAI, agreement_with_terms, paid_order, refund_of, variant

pytestmark = pytest.mark.django_db

DAY = dt.datetime(2025, 5, 10, 12, tzinfo=SHANGHAI)
RANGE = "date_from=2025-05-01&date_to=2025-05-31"


@pytest.fixture
def shared_collection_sales(museum, media):
    """Museum licenses a collection designed with media; a third partner sells its own."""
    collection = factories.CollectionFactory(slug="blossoms", name_en="Blossoms")
    agreement_with_terms(
        collection=collection, parties=[(museum, "licensor", 6000), (media, "designer", 4000)]
    )
    media_web = factories.SalesChannelFactory(
        code="media-web", owner=media, commission_rate=Decimal("0.1000")
    )
    museum_web = factories.SalesChannelFactory(
        code="museum-web", owner=museum, commission_rate=Decimal("0")
    )
    fan = variant(collection, "100.00", slug="fan", name_en="Silk fan")
    order, payment = paid_order(channel=media_web, items=[(fan, 2)], paid_at=DAY)
    refund_of(order, payment, Decimal("100.00"), at=DAY)
    paid_order(channel=museum_web, items=[(fan, 1)], paid_at=DAY + dt.timedelta(days=1))

    other = factories.PartnerFactory(code="other")
    other_collection = factories.CollectionFactory(slug="other-line")
    agreement_with_terms(collection=other_collection, parties=[(other, "producer", 10000)])
    other_channel = factories.SalesChannelFactory(code="other-shop", owner=other)
    paid_order(
        channel=other_channel,
        items=[(variant(other_collection, "500.00", slug="secret"), 1)],
        paid_at=DAY,
    )
    return {"order": order}


@pytest.fixture
def users(museum, media):
    return {
        "museum_viewer": factories.PartnerMembershipFactory(partner=museum).user,
        "media_viewer": factories.PartnerMembershipFactory(partner=media).user,
        "staff_without_partner": factories.StaffFactory(),
        "shopper": factories.UserFactory(),
        "superuser": factories.SuperuserFactory(),
    }


ENDPOINTS = [
    f"/api/v1/partners/reports/summary/?{RANGE}",
    f"/api/v1/partners/reports/compared/?{RANGE}",
    f"/api/v1/partners/reports/payment-mismatches/?{RANGE}",
    f"/api/v1/partners/reports/inventory/?{RANGE}",
    f"/api/v1/partners/reports/sales/?{RANGE}&interval=week",
    f"/api/v1/partners/reports/breakdown/?{RANGE}&by=channel",
    f"/api/v1/partners/reports/top-products/?{RANGE}",
    f"/api/v1/partners/reports/fulfillment-times/?{RANGE}",
    "/api/v1/partners/ledger/",
    "/api/v1/partners/settlements/",
]


def _client(users, who):
    return APIClient() if who == "anonymous" else client_for(users[who])


@pytest.mark.parametrize("url", ENDPOINTS)
@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("anonymous", 401, "not_authenticated"),
        ("shopper", 403, "permission_denied"),
        ("staff_without_partner", 403, "permission_denied"),
        ("superuser", 400, "partner_required"),
        ("museum_viewer", 200, None),
        ("media_viewer", 200, None),
    ],
)
def test_permission_matrix(shared_collection_sales, users, url, who, status, code):
    response = _client(users, who).get(url)

    assert response.status_code == status
    if code:
        assert response.json()["code"] == code


@pytest.mark.parametrize("url", ENDPOINTS)
def test_superuser_reads_a_named_partner(shared_collection_sales, users, url):
    response = client_for(users["superuser"]).get(f"{url}{'&' if '?' in url else '?'}partner=media")

    assert response.status_code == 200


def test_superuser_naming_an_unknown_partner_gets_404(shared_collection_sales, users):
    response = client_for(users["superuser"]).get("/api/v1/partners/settlements/?partner=nobody")

    assert (response.status_code, response.json()["code"]) == (404, "partner_not_found")


def test_each_partner_sees_its_own_figures_of_the_sales_that_concern_it(
    shared_collection_sales, users
):
    museum = client_for(users["museum_viewer"]).get(f"/api/v1/partners/reports/summary/?{RANGE}")
    media = client_for(users["media_viewer"]).get(f"/api/v1/partners/reports/summary/?{RANGE}")

    assert museum.json() == {
        "partner": "museum",
        "date_from": "2025-05-01",
        "date_to": "2025-05-31",
        "units": 3,
        "units_refunded": 0,
        "gross": "300.00",
        "refunds": "100.00",
        "net": "200.00",
        # 60% of (200 - 10% commission) - 60% of the refund's part + 60% of 100.
        "own_share": "114.00",
    }
    assert media.json()["own_share"] == "86.00"
    assert media.json()["gross"] == "300.00"


def test_breakdown_by_product_shows_only_products_that_concern_the_partner(
    shared_collection_sales, users
):
    response = client_for(users["museum_viewer"]).get(
        f"/api/v1/partners/reports/breakdown/?{RANGE}&by=product&lang=en"
    )

    assert [(row["code"], row["name"], row["units"]) for row in response.json()] == [
        ("fan", "Silk fan", 3)
    ]


def test_sales_by_channel_and_day(shared_collection_sales, users):
    client = client_for(users["museum_viewer"])

    channels = client.get(f"/api/v1/partners/reports/breakdown/?{RANGE}&by=channel").json()
    days = client.get(f"/api/v1/partners/reports/sales/?{RANGE}&interval=day").json()

    assert [(r["code"], r["gross"], r["refunds"]) for r in channels] == [
        ("media-web", "200.00", "100.00"),
        ("museum-web", "100.00", "0.00"),
    ]
    assert [(r["period"], r["units"]) for r in days] == [("2025-05-10", 2), ("2025-05-11", 1)]


def test_filters_by_channel_and_refuses_bad_filters(shared_collection_sales, users):
    client = client_for(users["museum_viewer"])

    filtered = client.get(f"/api/v1/partners/reports/summary/?{RANGE}&channel=museum-web")
    backwards = client.get(
        "/api/v1/partners/reports/summary/?date_from=2025-06-01&date_to=2025-05-01"
    )
    unknown = client.get(f"/api/v1/partners/reports/summary/?{RANGE}&collection=nope&lang=en")

    assert filtered.json()["gross"] == "100.00"
    assert (backwards.status_code, backwards.json()["code"]) == (400, "report_filter_invalid")
    assert unknown.json()["fields"] == {"collection": ["No such collection."]}


def test_reports_never_carry_shopper_contacts(shared_collection_sales, users):
    client = client_for(users["museum_viewer"])
    order = shared_collection_sales["order"]

    bodies = [client.get(url).content.decode() for url in ENDPOINTS]
    settlement = Settlement.objects.filter(partner__code="museum").first()
    bodies.append(client.get(f"/api/v1/partners/settlements/{settlement.pk}/").content.decode())

    for body in bodies:
        assert order.email not in body
        assert "王小明" not in body
        assert "13800000000" not in body


def test_a_partner_cannot_read_another_partners_settlement(shared_collection_sales, users):
    media_settlement = Settlement.objects.get(partner__code="media", period=dt.date(2025, 5, 1))
    client = client_for(users["museum_viewer"])

    detail = client.get(f"/api/v1/partners/settlements/{media_settlement.pk}/")
    download = client.get(f"/api/v1/partners/settlements/{media_settlement.pk}/statement.pdf")

    assert (detail.status_code, detail.json()["code"]) == (404, "settlement_not_found")
    assert download.status_code == 404


def test_settlement_list_and_statement_download(shared_collection_sales, users):
    client = client_for(users["museum_viewer"])

    listed = client.get("/api/v1/partners/settlements/").json()
    csv = client.get(listed[0]["downloads"]["csv"])

    assert [(s["partner"], s["period"], s["status"]) for s in listed] == [
        ("museum", "2025-05", "open")
    ]
    assert csv.status_code == 200
    assert csv["Content-Disposition"] == 'attachment; filename="ST-MUSEUM-202505.csv"'
    assert "TOTAL,168.00,0.00,-54.00,0.00,0.00,114.00" in csv.content.decode("utf-8-sig")


def test_an_open_month_is_listed_with_its_figures_so_far_as_its_statement_shows(
    shared_collection_sales, users
):
    client = client_for(users["museum_viewer"])
    figures = ("gross", "commissions", "refunds", "logistics_fees", "payment_fees", "net")

    listed = client.get("/api/v1/partners/settlements/").json()
    detail = client.get(f"/api/v1/partners/settlements/{listed[0]['id']}/").json()

    assert listed[0]["status"] == "open"
    assert [listed[0][f] for f in figures] == ["168.00", "0.00", "-54.00", "0.00", "0.00", "114.00"]
    assert [detail[f] for f in figures] == [listed[0][f] for f in figures]
    stored = Settlement.objects.get(pk=listed[0]["id"])
    assert (stored.gross, stored.net) == (Decimal("0.00"), Decimal("0.00"))  # still open


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # the viewer's partner, whether report deltas wait (none), the figures, and for a
        # breakdown the names and codes shown
        (f"/api/v1/partners/reports/summary/?{RANGE}", 3),
        (f"/api/v1/partners/reports/sales/?{RANGE}&interval=day", 3),
        (f"/api/v1/partners/reports/breakdown/?{RANGE}&by=channel", 5),
        (f"/api/v1/partners/reports/top-products/?{RANGE}&limit=10", 5),
    ],
)
def test_report_queries_do_not_grow_with_sales(
    shared_collection_sales, users, museum, url, queries, django_assert_num_queries
):
    """A month's figures come from the daily totals and monthly product rows: more
    orders, products or days sold add rows to them, never queries."""
    client = client_for(users["museum_viewer"])
    fan = variant(factories.CollectionFactory(slug="more"), "10.00", slug="more-fans")
    agreement_with_terms(product=fan.product, parties=[(museum, "licensor", 10000)])
    for day in range(3):
        paid_order(
            channel=factories.SalesChannelFactory(owner=museum),
            items=[(fan, 1)],
            paid_at=DAY + dt.timedelta(days=day),
        )
    report_rows_current()

    with django_assert_num_queries(queries):
        response = client.get(url)

    assert response.status_code == 200
