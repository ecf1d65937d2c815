"""The dashboard pages and the admin of agreements, the ledger and settlements."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from partners.models import AgreementParty, AgreementVersion, LedgerEntry, Settlement
from tests import factories
from tests.factories.ledger import SHANGHAI, agreement_with_terms, paid_order, variant

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


@pytest.fixture
def sales(museum, media):
    collection = factories.CollectionFactory()
    agreement_with_terms(
        collection=collection, parties=[(museum, "licensor", 6000), (media, "designer", 4000)]
    )
    channel = factories.SalesChannelFactory(
        code="media-web", name_en="Beijing News Web", owner=media
    )
    paid_order(
        channel=channel,
        items=[(variant(collection, "100.00", name_zh="团扇", name_en="Silk fan"), 2)],
        paid_at=dt.datetime(2025, 5, 10, 12, tzinfo=SHANGHAI),
    )


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_sign_in_page_signs_a_partner_user_in_to_the_dashboard(museum):
    user = factories.PartnerMembershipFactory(partner=museum).user

    response = Client().post(
        "/partners/login/", {"username": user.email, "password": PASSWORD}, follow=False
    )

    assert (response.status_code, response["Location"]) == (302, "/partners/dashboard/")


def test_dashboard_needs_a_signed_in_user():
    response = Client().get("/partners/dashboard/")

    assert (response.status_code, response["Location"]) == (
        302,
        "/partners/login/?next=/partners/dashboard/",
    )


def test_dashboard_shows_the_months_figures_charts_and_settlements(sales, museum):
    user = factories.PartnerMembershipFactory(partner=museum).user

    response = _signed_in(user).get("/partners/dashboard/?month=2025-05")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="gross">200.00<' in html
    assert 'data-testid="own-share">108.00<' in html
    assert html.count("<svg") == 2
    assert "团扇" in html
    settlement = Settlement.objects.get(partner=museum)
    assert f"/partners/settlements/{settlement.pk}/statement.pdf" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_dashboard_refuses_a_user_without_partner():
    response = _signed_in(factories.UserFactory()).get("/partners/dashboard/")

    assert response.status_code == 403


def test_dashboard_statement_of_another_partner_is_not_found(sales, museum, media):
    media_settlement = Settlement.objects.get(partner=media)
    user = factories.PartnerMembershipFactory(partner=museum).user

    response = _signed_in(user).get(f"/partners/settlements/{media_settlement.pk}/statement.csv")

    assert response.status_code == 404


def test_admin_adds_a_version_through_the_service_and_refuses_bad_shares(museum, media):
    agreement, first = agreement_with_terms(
        collection=factories.CollectionFactory(), parties=[(museum, "licensor", 10000)]
    )
    client = _signed_in(factories.SuperuserFactory())
    form = {
        "agreement": agreement.pk,
        "valid_from": "2099-01-01",
        "logistics_fee": "6.00",
        "payment_fee_bearer": "parties",
        "refund_policy": "mirror",
        "note": "",
    }

    refused = client.post(
        "/admin/partners/agreementversion/add/",
        {**form, "parties_text": "museum licensor 6000\nmedia designer 3000"},
    )
    assert refused.status_code == 200
    assert AgreementVersion.objects.filter(agreement=agreement).count() == 1

    added = client.post(
        "/admin/partners/agreementversion/add/",
        {**form, "parties_text": "museum licensor 6000\nmedia designer 4000"},
    )
    assert added.status_code == 302
    version = AgreementVersion.objects.get(agreement=agreement, number=2)
    assert sorted(
        AgreementParty.objects.filter(version=version).values_list("partner__code", "share_bp")
    ) == [("media", 4000), ("museum", 6000)]
    change = client.post(
        f"/admin/partners/agreementversion/{first.pk}/change/", {**form, "logistics_fee": "1"}
    )
    assert change.status_code == 403
    first.refresh_from_db()
    assert first.logistics_fee == Decimal("0.00")


def test_admin_ledger_is_read_only(sales):
    client = _signed_in(factories.SuperuserFactory())
    entry = LedgerEntry.objects.first()

    listing = client.get("/admin/partners/ledgerentry/")
    delete = client.post(f"/admin/partners/ledgerentry/{entry.pk}/delete/", {"post": "yes"})

    assert listing.status_code == 200
    assert delete.status_code == 403
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()


def test_open_month_shows_its_running_figures_with_separators_and_comparisons(museum, media):
    collection = factories.CollectionFactory()
    agreement_with_terms(collection=collection, parties=[(museum, "licensor", 10000)])
    channel = factories.SalesChannelFactory(owner=museum, commission_rate=Decimal("0"))
    now = dt.datetime.now(SHANGHAI)
    paid_order(channel=channel, items=[(variant(collection, "1234.50"), 10)], paid_at=now)
    user = factories.PartnerMembershipFactory(partner=museum).user

    html = _signed_in(user).get("/partners/dashboard/").content.decode()

    month = f"{now:%Y-%m}"
    assert 'data-testid="gross">12,345.00<' in html
    assert 'data-testid="orders">1<' in html
    assert 'data-testid="average-order-value">12,345.00<' in html
    assert f'data-testid="net-{month}">12,345.00 <span class="muted">(至今 so far)' in html
    assert 'data-testid="previous-gross">0.00<' in html
    assert 'data-testid="last_year-gross">0.00<' in html


def test_links_keep_the_language_and_the_filters(sales, museum):
    user = factories.PartnerMembershipFactory(partner=museum).user
    channel = factories.SalesChannelFactory(code="other-web")

    response = _signed_in(user).get(
        f"/partners/dashboard/?month=2025-05&lang=en&channel={channel.code}"
    )

    html = response.content.decode()
    assert 'href="?lang=en&amp;channel=other-web&amp;month=2025-04"' in html
    settlement = Settlement.objects.get(partner=museum)
    assert f"/partners/settlements/{settlement.pk}/statement.pdf?lang=en" in html
    assert 'data-testid="gross">0.00<' in html


def test_english_channel_names_are_shown_whole(sales, museum):
    user = factories.PartnerMembershipFactory(partner=museum).user

    html = _signed_in(user).get("/partners/dashboard/?month=2025-05&lang=en").content.decode()

    assert '<text x="0" y="19" font-size="13" fill="#4a4238">Beijing News Web</text>' in html
    assert "<td>Beijing News Web</td>" in html


def test_a_bad_filter_is_said_and_the_month_shown(sales, museum):
    user = factories.PartnerMembershipFactory(partner=museum).user

    response = _signed_in(user).get("/partners/dashboard/?month=2025-05&channel=nowhere")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="filter-error"' in html
    assert 'data-testid="gross">200.00<' in html


def test_a_partner_sees_only_its_own_figures(sales, museum, media):
    user = factories.PartnerMembershipFactory(partner=museum).user

    html = _signed_in(user).get("/partners/dashboard/?month=2025-05&partner=media").content.decode()

    # The museum's 60% of 200.00, not the media group's 40%.
    assert 'data-testid="own-share">108.00<' in html
    assert "新京报" not in html.split("<main>")[1]


@pytest.mark.parametrize(
    "table",
    ["comparison", "daily", "channels", "products", "inventory", "low-stock", "settlements"],
)
def test_every_table_exports_as_csv_for_the_pages_period(sales, museum, table):
    user = factories.PartnerMembershipFactory(partner=museum).user
    page = _signed_in(user).get("/partners/dashboard/?month=2025-05&lang=en").content.decode()
    assert f'href="/partners/dashboard/{table}.csv?lang=en&amp;month=2025-05"' in page

    response = _signed_in(user).get(f"/partners/dashboard/{table}.csv?lang=en&month=2025-05")

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="museum-{table}-20250501-20250531.csv"'
    )
    assert response.content.startswith("\ufeff".encode())


def test_csv_rows_hold_the_figures_as_plain_numbers(sales, museum):
    user = factories.PartnerMembershipFactory(partner=museum).user
    client = _signed_in(user)

    channels = client.get("/partners/dashboard/channels.csv?month=2025-05&lang=en")
    comparison = client.get("/partners/dashboard/comparison.csv?month=2025-05")

    assert channels.content.decode("utf-8-sig").splitlines() == [
        "channel,name,units,units_refunded,gross,refunds,net,own_share",
        "media-web,Beijing News Web,2,0,200.00,0.00,200.00,108.00",
    ]
    rows = comparison.content.decode("utf-8-sig").splitlines()
    assert rows[1].startswith("current,2025-05-01,2025-05-31,1,2,0,200.00,0.00,200.00,108.00")
    assert rows[2].startswith("previous,2025-04-01,2025-04-30,0,")
    assert rows[3].startswith("last_year,2024-05-01,2024-05-31,0,")


def test_an_unknown_table_is_not_found(sales, museum):
    user = factories.PartnerMembershipFactory(partner=museum).user

    assert _signed_in(user).get("/partners/dashboard/secrets.csv").status_code == 404


def test_each_statement_line_links_to_its_order(sales, museum, media):
    settlement = Settlement.objects.get(partner=museum)
    order_number = LedgerEntry.objects.filter(partner=museum).first().order.number
    client = _signed_in(factories.PartnerMembershipFactory(partner=museum).user)
    dashboard = client.get("/partners/dashboard/?month=2025-05&lang=en").content.decode()
    assert f'href="/partners/settlements/{settlement.pk}/?lang=en"' in dashboard

    lines = client.get(f"/partners/settlements/{settlement.pk}/?lang=en").content.decode()
    order = client.get(f"/partners/orders/{order_number}/?lang=en")

    assert f'href="/partners/orders/{order_number}/?lang=en"' in lines
    assert order.status_code == 200
    assert "108.00" in order.content.decode()
    media_settlement = Settlement.objects.get(partner=media)
    assert client.get(f"/partners/settlements/{media_settlement.pk}/").status_code == 404
    outsider = _signed_in(
        factories.PartnerMembershipFactory(partner=factories.PartnerFactory()).user
    )
    assert outsider.get(f"/partners/orders/{order_number}/").status_code == 404
