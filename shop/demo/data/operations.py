"""Demo channels, warehouses and the people who sign in to the shop."""

from __future__ import annotations

from shop.demo.data.records import DemoChannel, DemoUser, DemoWarehouse

# Every product is listed in these; the others list what a product names in extra_channels.
CHANNELS_LISTING_EVERYTHING = ("museum-web", "media-web")

CHANNELS = (
    DemoChannel(
        code="museum-web",
        name_zh="恭王府文创官方商城",
        name_en="Prince Kung's Palace Museum Web Shop",
        kind="web_shop",
        owner="museum",
        commission_rate="0",
        is_public=True,
    ),
    DemoChannel(
        code="museum-onsite",
        name_zh="恭王府文创馆店",
        name_en="Palace Museum On-site Shop",
        kind="onsite_shop",
        owner="museum",
        commission_rate="0",
    ),
    DemoChannel(
        code="media-web",
        name_zh="新京报文创频道",
        name_en="Beijing News Culture Shop",
        kind="partner_website",
        owner="media",
        commission_rate="0.10",
    ),
    DemoChannel(
        code="media-app",
        name_zh="新京报 App 文创商城",
        name_en="Beijing News App Shop",
        kind="partner_app",
        owner="media",
        commission_rate="0.10",
    ),
    DemoChannel(
        code="media-social",
        name_zh="新京报社交媒体店铺",
        name_en="Beijing News Social Shop",
        kind="social",
        owner="media",
        commission_rate="0.12",
    ),
    DemoChannel(
        code="media-live",
        name_zh="新京报直播间",
        name_en="Beijing News Livestream",
        kind="livestream",
        owner="media",
        commission_rate="0.15",
    ),
)

WAREHOUSES = (
    DemoWarehouse(
        code="museum-bj",
        name_zh="恭王府仓",
        name_en="Palace Museum Warehouse",
        partner="museum",
        province="北京市",
        city="北京市",
        district="西城区",
        street="前海西街17号 文创库房",
        postcode="100009",
        phone="010-00000001",
        email="warehouse@museum.example.com",
    ),
    DemoWarehouse(
        code="media-bj",
        name_zh="新京报仓",
        name_en="Beijing News Warehouse",
        partner="media",
        province="北京市",
        city="北京市",
        district="朝阳区",
        street="东三环南路 报刊物流中心 3 号库",
        postcode="100022",
        phone="010-00000002",
        email="warehouse@media.example.com",
    ),
)

STAFF_GROUP = "Partner staff"

# (app label, model, actions): what partner staff need in the admin. Stock quantities
# change only through the stock services, so movements are read-only for them.
STAFF_GROUP_PERMISSIONS = (
    ("catalog", "collection", ("view", "change")),
    ("catalog", "relic", ("view", "change")),
    ("catalog", "tag", ("view", "change")),
    ("catalog", "product", ("view", "change")),
    ("catalog", "productvariant", ("view", "change")),
    ("catalog", "productimage", ("view", "change")),
    ("catalog", "productchannellisting", ("view", "change")),
    ("catalog", "variantchannelprice", ("view", "change")),
    ("catalog", "warehouse", ("view", "change")),
    ("catalog", "stock", ("view", "change")),
    ("catalog", "stockmovement", ("view",)),
    # The day's work in the admin: the fulfilment queue (pack, ship, labels), returns,
    # and the orders they may refund. Money, events and lines are read-only in every
    # admin screen; the actions go through the services, which check the partner again.
    ("fulfillment", "shipment", ("view", "change")),
    ("fulfillment", "shipmentline", ("view",)),
    ("fulfillment", "shipmentevent", ("view",)),
    ("fulfillment", "trackingevent", ("view",)),
    ("fulfillment", "returnrequest", ("view", "change")),
    ("fulfillment", "returnline", ("view",)),
    ("fulfillment", "lowstockalert", ("view",)),
    ("orders", "order", ("view", "change")),
    ("orders", "orderline", ("view",)),
    ("orders", "orderevent", ("view",)),
    ("payments", "payment", ("view",)),
    ("payments", "refund", ("view",)),
)

USERS = (
    DemoUser(
        email="admin@example.com",
        password="demo-admin-pass",
        first_name="Admin",
        last_name="Demo",
        is_staff=True,
        is_superuser=True,
    ),
    DemoUser(
        email="museum-staff@example.com",
        password="demo-staff-pass",
        first_name="文",
        last_name="王",
        is_staff=True,
        partner="museum",
        role="manager",
        groups=(STAFF_GROUP,),
    ),
    DemoUser(
        email="media-staff@example.com",
        password="demo-staff-pass",
        first_name="新",
        last_name="李",
        is_staff=True,
        partner="media",
        role="manager",
        groups=(STAFF_GROUP,),
    ),
    DemoUser(
        email="museum-viewer@example.com",
        password="demo-viewer-pass",
        first_name="博",
        last_name="赵",
        partner="museum",
        role="viewer",
    ),
    DemoUser(
        email="media-viewer@example.com",
        password="demo-viewer-pass",
        first_name="闻",
        last_name="陈",
        partner="media",
        role="viewer",
    ),
    DemoUser(
        email="shopper@example.com",
        password="demo-shopper-pass",
        first_name="Mei",
        last_name="Zhang",
    ),
)
