"""A day in the admin for the staff of each partner, in a real headless Chromium: the
fulfilment queue and pick list of their own warehouse, packing, a transfer into the other
partner's warehouse that both see, and a refund through its confirmation page.

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

from fulfillment import services
from fulfillment.models import Shipment, ShipmentStatus
from shop.demo.data.loaders import staff_group_load
from shop.payments.models import Refund
from tests import factories
from tests.factories import order_with_stock
from tests.factories.fulfillment import pay

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
    assert set(Shipment.objects.values_list("status", flat=True)) == {ShipmentStatus.PACKED}

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
    assert Refund.objects.get().amount == order.total > Decimal(0)
