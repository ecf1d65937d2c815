"""A day in the admin for the staff of each partner, in a real headless Chromium: the
fulfilment queue and pick list of their own warehouse, packing and shipping with a label,
a transfer into the other partner's warehouse that both see, a batch received with its
note and a shelf counted with a reason, a refund through its confirmation page, and a
return of each partner's parcel approved, received back into stock and refunded by that
partner's staff.

Uses Debian's chromium (``apt-get install chromium``); skipped with a message when it is
missing. Playwright drives the system browser, so nothing is downloaded.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import connections

from catalog.models import StockMovement
from fulfillment import returns, services
from fulfillment.models import ReturnStatus, Shipment, ShipmentStatus
from shop.demo.data.loaders import staff_group_load
from shop.payments.models import Refund
from tests import factories
from tests.factories import order_with_stock
from tests.factories.fulfillment import delivered, pay

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PASSWORD = "correct-horse-battery"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (os.path.exists(CHROMIUM) or shutil.which("chromium")),
        reason=f"Chromium is not installed at {CHROMIUM}: run `apt-get install -y chromium` "
        "(or set CHROMIUM_PATH) to run the browser tests.",
    ),
]


@pytest.fixture
def browser() -> Iterator[Any]:
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()
        # Playwright runs the test under a context of its own, and Django keeps its
        # connections per context: close the one opened here, or it outlives the test.
        connections.close_all()


def signed_in(browser: Any, base: str, partner: Any) -> Any:
    """A fresh browser for a member of the "Partner staff" group of ``partner``."""
    user = factories.PartnerStaffFactory(partner=partner).user
    user.groups.add(staff_group_load())
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(f"{base}/admin/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("#login-form [type=submit]")
    page.wait_for_url(f"{base}/admin/")
    return page


def run_action(page: Any, action: str) -> None:
    """Tick every row of the list and run ``action`` on them."""
    page.check("#action-toggle")
    page.select_option("select[name=action]", action)
    with page.expect_navigation():
        page.click("button[name=index]")


def work_the_queue(page: Any, base: str, own: str, other: str) -> None:
    page.goto(f"{base}/admin/fulfillment/shipment/")
    assert page.locator("#result_list tbody tr").count() == 1
    assert other not in page.content()
    with page.expect_navigation():
        page.click("#pick-list-link")
    assert page.locator("table.pick-list").count() == 1
    assert page.locator(f"table.pick-list[data-warehouse={own}]").count() == 1
    page.goto(f"{base}/admin/fulfillment/shipment/")
    run_action(page, "mark_packed")
    page.wait_for_selector(".messagelist .success")
    run_action(page, "mark_shipped")
    page.wait_for_selector(".messagelist .success")
    assert page.locator("#result_list a[href$='label.pdf']").count() == 1


def handle_the_return(page: Any, base: str, other_id: int) -> None:
    """Approve, receive back into stock and refund the one return the list shows."""
    page.goto(f"{base}/admin/fulfillment/returnrequest/")
    assert page.locator("#result_list tbody tr").count() == 1
    assert page.locator(f"#result_list input[value='{other_id}']").count() == 0
    for action in ("approve", "receive_resellable", "refund"):
        run_action(page, action)
        assert page.locator(".messagelist .error").count() == 0, page.text_content("body")


def receive_and_count(page: Any, base: str, stock: Any) -> None:
    """Receive a batch with its note, then count the shelf with a reason, on the stock page."""
    url = f"{base}/admin/catalog/stock/{stock.pk}/change/"
    page.goto(url)
    page.fill("#id_receive_quantity", "5")
    page.fill("#id_batch_reference", "B-2026-12")
    page.fill("#id_receipt_note", "second run from the workshop")
    with page.expect_navigation():
        page.click("input[name=_save]")
    assert page.locator(".errorlist").count() == 0, page.text_content("body")
    page.goto(url)
    page.fill("#id_counted_quantity", "4")
    page.fill("#id_count_note", "shelf recount after the fair")
    with page.expect_navigation():
        page.click("input[name=_save]")
    assert page.locator(".errorlist").count() == 0, page.text_content("body")


def returned(two_warehouses: Any, stock: Any) -> Any:
    """A delivered order of one unit from ``stock``'s warehouse, with a return asked."""
    order = order_with_stock(channel=two_warehouses.channel, lines=[(stock.variant, 1)])
    pay(order)
    delivered(order)
    line = order.lines.get()
    return returns.return_request_create(
        order=order, lines=[{"line_id": line.pk, "quantity": 1}], reason="too small"
    )


def test_each_partners_staff_work_their_day_in_the_admin(live_server, browser, two_warehouses):
    base = live_server.url
    order = order_with_stock(
        channel=two_warehouses.channel,
        lines=[(two_warehouses.museum_stock.variant, 2), (two_warehouses.media_stock.variant, 1)],
    )
    pay(order)
    for shipment_id in services.order_fulfill(order_id=order.pk):
        services.shipment_book(shipment_id=shipment_id)
    museum = signed_in(browser, base, two_warehouses.museum)
    media = signed_in(browser, base, two_warehouses.media)

    work_the_queue(museum, base, "museum-wh", "media-wh")
    work_the_queue(media, base, "media-wh", "museum-wh")
    assert set(Shipment.objects.values_list("status", flat=True)) == {ShipmentStatus.SHIPPED}

    # The museum sends three free units to the media group's warehouse, saying why.
    museum.goto(f"{base}/admin/catalog/stock/")
    with museum.expect_navigation():
        museum.click("#transfer-link")
    museum.select_option("#id_source", str(two_warehouses.museum_stock.pk))
    museum.select_option("#id_to_warehouse", str(two_warehouses.media_warehouse.pk))
    museum.fill("#id_quantity", "3")
    museum.fill("#id_reason", "for the joint fair")
    with museum.expect_navigation():
        museum.click("#transfer-form [type=submit]")
    assert museum.locator("#result_list tbody tr").count() == 2
    # ...and the media group's staff find it in their stock history.
    media.goto(f"{base}/admin/catalog/stockmovement/?q=for+the+joint+fair")
    assert media.locator("#result_list tbody tr").count() == 2
    assert "museum-wh" in media.text_content("#result_list")

    # A refund shows the orders and amounts first, and happens only when confirmed.
    museum.goto(f"{base}/admin/orders/order/")
    run_action(museum, "refund_remaining")
    assert museum.text_content("#refund-total") == str(order.total)
    assert not Refund.objects.exists()
    with museum.expect_navigation():
        museum.click("#refund-form [type=submit]")
    museum.wait_for_selector(".messagelist .success")
    assert Refund.objects.get(order=order).amount == order.total > Decimal(0)

    # Each partner's staff receive a batch with its note and count a shelf with a reason.
    for page, stock in ((museum, two_warehouses.museum_stock), (media, two_warehouses.media_stock)):
        receive_and_count(page, base, stock)
        notes = set(StockMovement.objects.filter(stock=stock).values_list("note", flat=True))
        assert {"second run from the workshop", "shelf recount after the fair"} <= notes
        stock.refresh_from_db()
        assert stock.quantity == 4

    # A shopper of each partner's parcel sends it back: that partner's staff approve the
    # return, put the unit back in stock and refund it; neither sees the other's return.
    museum_return = returned(two_warehouses, two_warehouses.museum_stock)
    media_return = returned(two_warehouses, two_warehouses.media_stock)
    handle_the_return(museum, base, media_return.pk)
    handle_the_return(media, base, museum_return.pk)
    for request in (museum_return, media_return):
        request.refresh_from_db()
        assert request.status == ReturnStatus.REFUNDED
        assert request.refund.amount == request.order.lines.get().unit_price
