from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from catalog.models import MovementReason, Product, Stock, StockMovement
from catalog.stock.services import stock_receive
from tests import factories

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def two_partner_stock(museum, media):
    a_store = factories.WarehouseFactory(partner=museum, code="museum-main")
    b_store = factories.WarehouseFactory(partner=media, code="media-main")
    variant = factories.ProductVariantFactory(sku="FU-1")
    a_stock = factories.StockFactory(variant=variant, warehouse=a_store, quantity=10)
    b_stock = factories.StockFactory(variant=variant, warehouse=b_store, quantity=4)
    superuser = factories.SuperuserFactory()
    stock_receive(
        variant=variant, warehouse=a_store, quantity=2, batch_reference="B1", user=superuser
    )
    a_stock.refresh_from_db()
    return {
        "a_store": a_store,
        "b_store": b_store,
        "variant": variant,
        "a_stock": a_stock,
        "b_stock": b_stock,
        "superuser": superuser,
        "a_staff": factories.PartnerStaffFactory(partner=museum).user,
        "plain_staff": factories.StaffFactory(),
    }


def _pages(two_partner_stock) -> list[str]:
    variant, stock = two_partner_stock["variant"], two_partner_stock["a_stock"]
    movement = StockMovement.objects.get()
    pages = []
    for model, obj in [
        ("product", variant.product),
        ("productvariant", variant),
        ("collection", variant.product.collection),
        ("relic", variant.product.relic),
        ("tag", factories.TagFactory()),
        ("warehouse", two_partner_stock["a_store"]),
        ("stock", stock),
        ("stockmovement", movement),
    ]:
        pages.append(reverse(f"admin:catalog_{model}_changelist"))
        pages.append(reverse(f"admin:catalog_{model}_change", args=[obj.pk]))
    return pages


@pytest.mark.parametrize("who", ["superuser", "a_staff", "plain_staff"])
def test_admin_pages_load(two_partner_stock, who):
    client = _client(two_partner_stock[who])

    for url in _pages(two_partner_stock):
        response = client.get(url)
        assert response.status_code == 200, url

    assert client.get(reverse("admin:index")).status_code == 200


def test_partner_admin_pages_load_for_superusers(two_partner_stock, museum):
    client = _client(two_partner_stock["superuser"])

    assert client.get(reverse("admin:partners_partner_changelist")).status_code == 200
    response = client.get(reverse("admin:partners_partner_change", args=[museum.pk]))
    assert response.status_code == 200
    assert b"memberships-TOTAL_FORMS" in response.content


def test_admin_is_closed_to_shoppers(two_partner_stock):
    response = _client(factories.UserFactory()).get(reverse("admin:catalog_stock_changelist"))

    assert response.status_code == 302


def test_partner_staff_see_only_their_warehouses(two_partner_stock):
    client = _client(two_partner_stock["a_staff"])

    stock_list = client.get(reverse("admin:catalog_stock_changelist"))
    warehouse_list = client.get(reverse("admin:catalog_warehouse_changelist"))
    other = client.get(
        reverse("admin:catalog_stock_change", args=[two_partner_stock["b_stock"].pk])
    )

    assert [s.pk for s in stock_list.context["cl"].result_list] == [two_partner_stock["a_stock"].pk]
    assert [w.code for w in warehouse_list.context["cl"].result_list] == ["museum-main"]
    assert other.status_code == 302  # "does not exist" for them


def _stock_form(stock, **changes) -> dict:
    return {"low_stock_threshold": stock.low_stock_threshold, "_save": "Save", **changes}


def test_stock_change_form_adjusts_through_the_service(two_partner_stock):
    stock = two_partner_stock["a_stock"]
    url = reverse("admin:catalog_stock_change", args=[stock.pk])

    response = _client(two_partner_stock["a_staff"]).post(
        url, _stock_form(stock, quantity=999, adjust_by=-3, adjust_note="Broken")
    )

    assert response.status_code == 302
    stock.refresh_from_db()
    assert stock.quantity == 9
    movement = StockMovement.objects.get(reason=MovementReason.ADJUSTMENT)
    assert (movement.quantity_delta, movement.note, movement.created_by) == (
        -3,
        "Broken",
        two_partner_stock["a_staff"],
    )


def test_stock_change_form_receives_and_counts(two_partner_stock):
    stock = two_partner_stock["a_stock"]
    url = reverse("admin:catalog_stock_change", args=[stock.pk])
    client = _client(two_partner_stock["superuser"])

    client.post(
        url,
        _stock_form(stock, receive_quantity=5, batch_reference="B2", receipt_note="One short"),
    )
    client.post(
        url,
        _stock_form(stock, counted_quantity=15, count_note="Shelf recount", low_stock_threshold=7),
    )

    stock.refresh_from_db()
    assert (stock.quantity, stock.low_stock_threshold) == (15, 7)
    assert list(StockMovement.objects.values_list("reason", "quantity_delta", "note")) == [
        (MovementReason.COUNT, -2, "Shelf recount"),
        (MovementReason.RECEIPT, 5, "One short"),
        (MovementReason.RECEIPT, 2, ""),
    ]
    threshold = stock.history.latest()
    assert (threshold.low_stock_threshold, threshold.history_user) == (
        7,
        two_partner_stock["superuser"],
    )
    assert threshold.prev_record.low_stock_threshold == 5


def test_stock_count_in_the_admin_needs_a_reason(two_partner_stock):
    stock = two_partner_stock["a_stock"]
    url = reverse("admin:catalog_stock_change", args=[stock.pk])

    response = _client(two_partner_stock["superuser"]).post(
        url, _stock_form(stock, counted_quantity=3)
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"count_note": ["请说明盘点的原因。"]}
    stock.refresh_from_db()
    assert stock.quantity == 12
    assert StockMovement.objects.count() == 1


def test_stock_change_form_refuses_bad_changes(two_partner_stock):
    stock = two_partner_stock["a_stock"]
    Stock.objects.filter(pk=stock.pk).update(quantity_reserved=10)
    url = reverse("admin:catalog_stock_change", args=[stock.pk])
    client = _client(two_partner_stock["superuser"])

    too_many = client.post(url, _stock_form(stock, adjust_by=-3, adjust_note="Lost"))
    two_at_once = client.post(
        url, _stock_form(stock, adjust_by=1, adjust_note="x", counted_quantity=20)
    )
    no_note = client.post(url, _stock_form(stock, adjust_by=1))

    assert too_many.status_code == two_at_once.status_code == no_note.status_code == 200
    # The admin speaks Chinese unless English is chosen.
    assert too_many.context["adminform"].form.errors == {
        "adjust_by": ["只有 2 件可用，无法减少 3 件。"]
    }
    assert no_note.context["adminform"].form.errors == {"adjust_note": ["请说明件数变化的原因。"]}
    assert two_at_once.context["adminform"].form.non_field_errors() == [
        "入库、调整或盘点：每次只能做一项。"
    ]
    stock.refresh_from_db()
    assert stock.quantity == 12
    assert StockMovement.objects.count() == 1


def test_staff_without_partner_cannot_change_stock(two_partner_stock):
    stock = two_partner_stock["a_stock"]
    url = reverse("admin:catalog_stock_change", args=[stock.pk])

    response = _client(two_partner_stock["plain_staff"]).post(url, _stock_form(stock, adjust_by=1))

    assert response.status_code == 403
    assert StockMovement.objects.count() == 1


def test_stock_add_form_creates_the_row_with_a_receipt(two_partner_stock):
    variant = factories.ProductVariantFactory(sku="NEW-1")
    data = {
        "variant": variant.pk,
        "warehouse": two_partner_stock["a_store"].pk,
        "low_stock_threshold": 3,
        "receive_quantity": 40,
        "batch_reference": "B9",
        "_save": "Save",
    }

    response = _client(two_partner_stock["a_staff"]).post(reverse("admin:catalog_stock_add"), data)
    into_other = _client(two_partner_stock["a_staff"]).post(
        reverse("admin:catalog_stock_add"), {**data, "warehouse": two_partner_stock["b_store"].pk}
    )

    assert response.status_code == 302
    stock = Stock.objects.get(variant=variant)
    assert (stock.warehouse, stock.quantity, stock.low_stock_threshold) == (
        two_partner_stock["a_store"],
        40,
        3,
    )
    assert into_other.status_code == 200
    assert "warehouse" in into_other.context["adminform"].form.errors
    assert Stock.objects.filter(variant=variant).count() == 1


def test_threshold_action_skips_other_partners_rows(two_partner_stock):
    response = _client(two_partner_stock["a_staff"]).post(
        reverse("admin:catalog_stock_changelist"),
        {
            "action": "set_low_threshold",
            "threshold": "8",
            "_selected_action": [two_partner_stock["a_stock"].pk, two_partner_stock["b_stock"].pk],
        },
    )

    assert response.status_code == 302
    assert dict(Stock.objects.values_list("pk", "low_stock_threshold")) == {
        two_partner_stock["a_stock"].pk: 8,
        two_partner_stock["b_stock"].pk: two_partner_stock["b_stock"].low_stock_threshold,
    }


def test_movements_are_read_only_in_the_admin(two_partner_stock):
    client = _client(two_partner_stock["superuser"])
    movement = StockMovement.objects.get()

    assert client.get(reverse("admin:catalog_stockmovement_add")).status_code == 403
    assert (
        client.post(reverse("admin:catalog_stockmovement_delete", args=[movement.pk])).status_code
        == 403
    )
    change = client.get(reverse("admin:catalog_stockmovement_change", args=[movement.pk]))
    assert b'name="_save"' not in change.content


def test_product_saved_in_admin_gets_its_search_text(two_partner_stock):
    collection = factories.CollectionFactory()
    tag = factories.TagFactory(slug="calligraphy")
    data = {
        "slug": "fu-brush",
        "collection": collection.pk,
        "name_zh": "福字毛笔",
        "name_en": "Fu Brush",
        "is_active": "on",
        "tags": [tag.pk],
        "personalisation_charset": "",
        "variants-TOTAL_FORMS": "1",
        "variants-INITIAL_FORMS": "0",
        "variants-0-sku": "BRUSH-1",
        "variants-0-price": "66.00",
        "variants-0-weight_grams": "50",
        "variants-0-position": "0",
        "variants-0-is_active": "on",
        "images-TOTAL_FORMS": "0",
        "images-INITIAL_FORMS": "0",
        "channel_listings-TOTAL_FORMS": "0",
        "channel_listings-INITIAL_FORMS": "0",
        "_save": "Save",
    }

    response = _client(two_partner_stock["a_staff"]).post(
        reverse("admin:catalog_product_add"), data
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    product = Product.objects.get(slug="fu-brush")
    assert product.variants.get().price == Decimal("66.00")
    assert "brush-1" in product.search_text
    assert "calligraphy" in product.search_text
    assert "福字毛笔" in product.search_text


def test_staff_without_partner_cannot_add_products(two_partner_stock):
    response = _client(two_partner_stock["plain_staff"]).get(reverse("admin:catalog_product_add"))

    assert response.status_code == 403
