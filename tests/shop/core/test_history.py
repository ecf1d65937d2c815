"""Edits of prices, vouchers, channels, partners, memberships, agreements and staff
permissions leave a history row with the old and new values, the author and the time,
whether made in the admin, through the staff API or by a CSV import."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalog.csv.products import PRODUCT_COLUMNS
from catalog.models import ProductVariant, VariantChannelPrice
from partners.agreements import PartyInput, agreement_version_create
from partners.models import AgreementParty, Partner, PartnerMembership, PartnerRole, PartyRole
from shop.accounts.models import User
from shop.channels.models import SalesChannel
from shop.checkout.models import Voucher
from tests import factories
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


class _FormValues(HTMLParser):
    """The values a browser would send back from the admin's change form, as shown."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def _add(self, name: str, value: str) -> None:
        self.values.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {key: value or "" for key, value in attrs}
        name = found.get("name", "")
        if tag == "input" and name and found.get("type") not in ("submit", "button", "file"):
            if found.get("type") not in ("checkbox", "radio") or "checked" in found:
                default = "on" if found.get("type") == "checkbox" else ""
                self._add(name, found.get("value", default))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in found:
            self._add(self._select, found.get("value", ""))
        elif tag == "textarea":
            self._textarea = name
            self._add(name, "")

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea][-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _admin_save(user, obj, **changes) -> None:
    """Open ``obj``'s admin change page as ``user``, change some fields, save."""
    client = Client()
    client.force_login(user)
    meta = obj._meta
    url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = _FormValues()
    form.feed(page.content.decode())
    data = {name: values for name, values in form.values.items() if name != "_saveasnew"}
    for name, value in changes.items():
        data[name] = value if isinstance(value, list) else [str(value)]
    response = client.post(url, data)
    errors = re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode(), re.S)
    assert response.status_code == 302, errors


def _changes(record) -> dict[str, tuple]:
    delta = record.diff_against(record.prev_record)
    return {change.field: (change.old, change.new) for change in delta.changes}


def test_a_variant_price_changed_in_the_admin_is_traced_with_its_editor(museum):
    editor = factories.PartnerStaffFactory(partner=museum).user
    variant = factories.ProductVariantFactory(sku="FU-1", price=Decimal("99.00"))

    _admin_save(editor, variant, price="109.90")

    last = variant.history.latest()
    assert (last.history_type, last.history_user) == ("~", editor)
    assert _changes(last) == {"price": (Decimal("99.00"), Decimal("109.90"))}
    history_page = Client()
    history_page.force_login(editor)
    url = reverse("admin:catalog_productvariant_history", args=[variant.pk])
    body = history_page.get(url).content.decode()
    assert "99.00" in body and "109.90" in body and "&rarr;" in body


def test_a_channel_price_changed_through_the_product_csv_is_traced(museum):
    editor = factories.PartnerStaffFactory(partner=museum).user
    factories.ProductVariantFactory(sku="FU-1", price=Decimal("99.00"))
    variant = ProductVariant.objects.get(sku="FU-1")
    rows = [
        {
            "product_slug": variant.product.slug,
            "product_name_zh": variant.product.name_zh,
            "product_name_en": variant.product.name_en,
            "sku": "FU-1",
            "price": "88.00",
        }
    ]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=PRODUCT_COLUMNS)
    writer.writeheader()
    writer.writerows({column: row.get(column, "") for column in PRODUCT_COLUMNS} for row in rows)
    upload = SimpleUploadedFile("file.csv", buffer.getvalue().encode(), content_type="text/csv")

    response = client_for(editor).post(
        "/api/v1/staff/products/import/", {"file": upload}, format="multipart"
    )

    assert response.status_code == 200, response.json()
    last = variant.history.latest()
    assert last.history_user == editor
    assert _changes(last)["price"] == (Decimal("99.00"), Decimal("88.00"))


def test_a_channel_price_keeps_its_history(superuser):
    price = factories.VariantChannelPriceFactory(price=Decimal("50.00"))

    _admin_save(superuser, price, price="45.00")

    last = VariantChannelPrice.history.filter(id=price.pk).latest()
    assert (last.history_user, _changes(last)) == (
        superuser,
        {"price": (Decimal("50.00"), Decimal("45.00"))},
    )


def test_voucher_channel_and_partner_edits_in_the_admin_are_traced(superuser, museum):
    voucher = Voucher.objects.create(code="SPRING", kind="fixed", value=Decimal("10.00"))
    channel = factories.SalesChannelFactory(owner=museum, commission_rate=Decimal("0.1000"))

    _admin_save(superuser, voucher, value="15.00")
    _admin_save(superuser, channel, commission_rate="0.1500")
    _admin_save(superuser, museum, stripe_account_id="acct_new")

    assert _changes(voucher.history.latest()) == {"value": (Decimal("10.00"), Decimal("15.00"))}
    assert _changes(SalesChannel.history.filter(id=channel.pk).latest()) == {
        "commission_rate": (Decimal("0.1000"), Decimal("0.1500"))
    }
    last = Partner.history.filter(id=museum.pk).latest()
    assert (last.history_user, _changes(last)) == (
        superuser,
        {"stripe_account_id": ("", "acct_new")},
    )


def test_a_membership_role_change_is_traced(superuser, museum):
    membership = factories.PartnerMembershipFactory(partner=museum, role=PartnerRole.VIEWER)

    _admin_save(superuser, membership, role=PartnerRole.MANAGER)

    last = PartnerMembership.history.filter(id=membership.pk).latest()
    assert (last.history_user, _changes(last)) == (
        superuser,
        {"role": (PartnerRole.VIEWER, PartnerRole.MANAGER)},
    )


def test_a_new_agreement_version_records_its_parties_and_author(superuser, museum, media):
    agreement = factories.AgreementFactory()

    version = agreement_version_create(
        agreement=agreement,
        valid_from=timezone.localdate(),
        parties=[
            PartyInput(partner=museum, role=PartyRole.LICENSOR, share_bp=6000),
            PartyInput(partner=media, role=PartyRole.MARKETER, share_bp=4000),
        ],
        logistics_fee=Decimal("8.00"),
        user=superuser,
    )

    parties = AgreementParty.history.filter(version_id=version.pk).order_by("share_bp")
    assert [(p.history_type, p.share_bp, p.history_user) for p in parties] == [
        ("+", 4000, superuser),
        ("+", 6000, superuser),
    ]
    assert version.history.get().history_type == "+"


def test_staff_permissions_granted_in_the_admin_are_traced(superuser):
    clerk = factories.StaffFactory()
    packers = Group.objects.create(name="Packers")
    permission = Permission.objects.get(codename="view_voucher")

    _admin_save(superuser, packers, permissions=[str(permission.pk)])
    _admin_save(superuser, clerk, groups=[str(packers.pk)])

    group_last = Group.history.filter(id=packers.pk).latest()  # type: ignore[attr-defined]
    assert group_last.history_user == superuser
    assert list(group_last.permissions.values_list("permission_id", flat=True)) == [permission.pk]
    user_last = User.history.filter(id=clerk.pk).latest()
    assert user_last.history_user == superuser
    assert list(user_last.groups.values_list("group_id", flat=True)) == [packers.pk]
    assert _changes(user_last) == {"groups": ([], [{"user": clerk.pk, "group": packers.pk}])}


def test_signing_in_writes_no_history(staff_user):
    before = User.history.count()

    # Django's sign-in stamps last_login (a save of that field alone).
    Client().force_login(staff_user)
    staff_user.refresh_from_db()
    assert staff_user.last_login is not None

    assert User.history.count() == before


def test_a_past_version_is_shown_but_never_saved_back(superuser):
    voucher = Voucher.objects.create(code="SPRING", kind="fixed", value=Decimal("10.00"))
    _admin_save(superuser, voucher, value="15.00")
    first = voucher.history.earliest()
    client = Client()
    client.force_login(superuser)
    url = reverse("admin:checkout_voucher_simple_history", args=[voucher.pk, first.history_id])

    shown = client.get(url)
    posted = client.post(url, {"code": "SPRING", "kind": "fixed", "value": "10.00"})

    assert (shown.status_code, posted.status_code) == (200, 403)
    voucher.refresh_from_db()
    assert voucher.value == Decimal("15.00")
    assert voucher.history.count() == 2


def test_partner_staff_see_the_history_of_their_own_stock_only(museum, media):
    keeper = factories.PartnerStaffFactory(partner=museum).user
    own = factories.StockFactory(warehouse=factories.WarehouseFactory(partner=museum))
    other = factories.StockFactory(warehouse=factories.WarehouseFactory(partner=media))
    client = Client()
    client.force_login(keeper)

    pages = [
        client.get(reverse("admin:catalog_stock_history", args=[stock.pk])).status_code
        for stock in (own, other)
    ]

    assert pages == [200, 404]


def test_an_agreement_end_date_set_in_the_admin_is_traced(superuser):
    agreement = factories.AgreementFactory(valid_until=None)

    _admin_save(superuser, agreement, valid_until="2027-12-31")

    last = agreement.history.latest()
    assert (last.history_user, _changes(last)) == (
        superuser,
        {"valid_until": (None, dt.date(2027, 12, 31))},
    )
