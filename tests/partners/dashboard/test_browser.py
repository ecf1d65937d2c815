"""The partner dashboard in a real headless Chromium: sign in, read the figures, download.

Uses Debian's chromium (``apt-get install chromium``); skipped with a message when
it is missing. Playwright drives the system browser, so nothing is downloaded.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from decimal import Decimal

import pytest
from django.db import connections

from tests import factories
from tests.factories.ledger import SHANGHAI, agreement_with_terms, paid_order, variant

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

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
def browser_page():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(accept_downloads=True, locale="zh-CN")
        page = context.new_page()
        # The page must work offline: any request off the test server fails the test.
        outside: list[str] = []
        page.on(
            "request",
            lambda request: (
                outside.append(request.url)
                if not request.url.startswith(("http://localhost", "data:"))
                else None
            ),
        )
        yield page, outside
        context.close()
        browser.close()
        # Inside Playwright the test's code runs under a context of its own, and Django's
        # connections are kept per context: close the one the test opened here, or it
        # outlives the test and keeps the test database open at the end of the run.
        connections.close_all()


def test_partner_signs_in_sees_figures_and_downloads_a_statement(live_server, browser_page):
    page, outside = browser_page
    museum = factories.PartnerFactory(
        code="museum", name_zh="恭王府博物馆", name_en="Palace Museum"
    )
    media = factories.PartnerFactory(code="media", name_zh="新京报", name_en="Beijing News")
    user = factories.PartnerMembershipFactory(partner=museum).user
    collection = factories.CollectionFactory()
    agreement_with_terms(
        collection=collection, parties=[(museum, "licensor", 6000), (media, "designer", 4000)]
    )
    channel = factories.SalesChannelFactory(owner=media, commission_rate=Decimal("0.1000"))
    paid_order(
        channel=channel,
        items=[(variant(collection, "100.00", name_zh="团扇"), 2)],
        paid_at=dt.datetime(2025, 5, 10, 12, tzinfo=SHANGHAI),
    )
    base = live_server.url.replace("127.0.0.1", "localhost")

    page.goto(f"{base}/partners/dashboard/?month=2025-05")
    page.fill("#id_username", user.email)
    page.fill("#id_password", "correct-horse-battery")
    page.click("button[type=submit]")
    page.wait_for_url("**/partners/dashboard/?month=2025-05")

    assert page.text_content("[data-testid=gross]") == "200.00"
    assert page.text_content("[data-testid=own-share]") == "108.00"
    assert page.locator("[data-testid=daily-chart] svg rect").count() == 31
    assert "团扇" in page.text_content("[data-testid=top-products]")

    with page.expect_download() as download_info:
        page.click("[data-testid=pdf-2025-05]")
    download = download_info.value
    assert download.suggested_filename == "ST-MUSEUM-202505.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert outside == []


def test_dashboard_reads_on_a_390_pixel_phone_in_english(live_server, browser_page):
    page, outside = browser_page
    museum = factories.PartnerFactory(
        code="museum", name_zh="恭王府博物馆", name_en="Palace Museum"
    )
    user = factories.PartnerMembershipFactory(partner=museum).user
    collection = factories.CollectionFactory()
    agreement_with_terms(collection=collection, parties=[(museum, "licensor", 10000)])
    long_name = "Palace Museum Official Flagship Store on Tmall Global"
    channel = factories.SalesChannelFactory(
        owner=museum, name_en=long_name, commission_rate=Decimal("0")
    )
    factories.WarehouseFactory(partner=museum, code="museum-bj")
    paid_order(
        channel=channel,
        items=[(variant(collection, "1234.50", name_en="Silk fan"), 10)],
        paid_at=dt.datetime(2025, 5, 10, 12, tzinfo=SHANGHAI),
    )
    base = live_server.url.replace("127.0.0.1", "localhost")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/partners/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", "correct-horse-battery")
    page.click("button[type=submit]")
    page.wait_for_url("**/partners/dashboard/")

    page.goto(f"{base}/partners/dashboard/?month=2025-05&lang=en")

    assert page.text_content("[data-testid=gross]") == "12,345.00"
    # Nothing wider than the phone: wide tables scroll inside their own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # Chart text is drawn at least 9 px high, and the long channel name is whole.
    heights = page.eval_on_selector_all(
        "[data-testid=channel-chart] svg text, [data-testid=daily-chart] svg text",
        "els => els.map(e => e.getBoundingClientRect().height)",
    )
    assert min(heights) >= 9
    name = page.locator("[data-testid=channel-chart] svg text", has_text=long_name)
    chart = page.locator("[data-testid=channel-chart] svg").bounding_box()
    box = name.bounding_box()
    assert box["x"] >= chart["x"] and box["x"] + box["width"] <= chart["x"] + chart["width"] + 1
    assert page.locator("[data-testid=warehouse-museum-bj]").is_visible()

    page.click("[data-testid=previous-month]")
    page.wait_for_url("**/partners/dashboard/?lang=en&month=2025-04")
    assert outside == []
