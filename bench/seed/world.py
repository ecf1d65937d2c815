"""The small world the scenarios use, made through the ORM: partners, warehouses,
channels, a shipping method, relics, tags, collections with their agreements, and a
partner dashboard viewer with a token."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

NAMES_ZH = ["青花", "山水", "书法", "牡丹", "仙鹤", "祥云", "福字", "如意", "锦鲤", "竹韵"]


KINDS_ZH = ["茶杯", "丝巾", "书签", "折扇", "香囊", "笔记本", "帆布包", "冰箱贴", "镇纸", "团扇"]


NAMES_EN = ["Blue", "Landscape", "Calligraphy", "Peony", "Crane", "Cloud", "Fortune", "Ruyi"]


NAMES_EN += ["Koi", "Bamboo"]
KINDS_EN = ["Teacup", "Silk Scarf", "Bookmark", "Folding Fan", "Sachet", "Notebook"]


KINDS_EN += ["Tote Bag", "Magnet", "Paperweight", "Round Fan"]
COLLECTIONS = 20


RELICS = 500


TAGS = 50


STOCK_UNITS = 500


LICENSOR_BP = 6000  # the museum licenses, the media group designs: 60/40 after commission


LINES_PER_ORDER = (1, 2, 3)


DROP_ID_BASE = 100_000_000


ADDRESS = {
    "name": "王小明",
    "phone": "13800000000",
    "country": "CN",
    "province": "北京市",
    "city": "北京市",
    "district": "西城区",
    "street": "前海西街17号",
    "postcode": "100009",
}


@dataclass
class World:
    """Ids and keys of the small world the scenarios use."""

    museum_id: int = 0
    media_id: int = 0
    warehouse_ids: dict[int, int] = field(default_factory=dict)  # partner id -> warehouse id
    web_channel_id: int = 0
    app_channel_id: int = 0
    live_channel_id: int = 0
    live_key: str = ""
    collection_ids: list[int] = field(default_factory=list)
    version_ids: dict[int, int] = field(default_factory=dict)  # collection id -> version id
    partner_token: str = ""
    products: int = 0
    orders: int = 0
    lines: int = 0


def _partners_and_warehouses(world: World) -> tuple[Any, Any]:
    from catalog.models import Warehouse
    from partners.models import Partner

    museum = Partner.objects.create(code="museum", name_zh="恭王府博物馆", name_en="Palace Museum")
    media = Partner.objects.create(code="media", name_zh="新京报", name_en="Beijing News")
    world.museum_id, world.media_id = museum.pk, media.pk
    for partner in (museum, media):
        warehouse = Warehouse.objects.create(
            code=f"wh-{partner.code}",
            name_zh=f"{partner.name_zh}仓",
            name_en=f"{partner.name_en} warehouse",
            partner=partner,
            province="北京市",
            city="北京市",
        )
        world.warehouse_ids[partner.pk] = warehouse.pk
    return museum, media


def _channels(world: World, museum: Any, media: Any) -> None:
    from shop.channels.models import ChannelKind
    from shop.channels.services import channel_create
    from shop.checkout.models import ShippingMethod

    web = channel_create(
        code="museum-web",
        name_zh="博物馆网店",
        name_en="Museum web shop",
        kind=ChannelKind.WEB_SHOP,
        owner=museum,
        is_public=True,
    )
    app = channel_create(
        code="media-app",
        name_zh="新京报App",
        name_en="News app",
        kind=ChannelKind.PARTNER_APP,
        owner=media,
        commission_rate=Decimal("0.1000"),
        is_public=True,
    )
    live = channel_create(
        code="media-live",
        name_zh="新京报直播间",
        name_en="News livestream",
        kind=ChannelKind.LIVESTREAM,
        owner=media,
        commission_rate=Decimal("0.1500"),
    )
    world.web_channel_id, world.app_channel_id = web.channel.pk, app.channel.pk
    world.live_channel_id, world.live_key = live.channel.pk, live.key
    ShippingMethod.objects.create(
        code="standard", name_zh="标准快递", name_en="Standard", price=Decimal("12.00")
    )


def _relics_tags_and_collections() -> list[Any]:
    from catalog.models import Collection, Relic, Tag

    Relic.objects.bulk_create(
        Relic(
            slug=f"relic-{n:03d}",
            name_zh=f"{NAMES_ZH[n % 10]}古物{n}",
            name_en=f"{NAMES_EN[n % 10]} relic {n}",
            period_zh="清",
            period_en="Qing dynasty",
            story_zh="故事" * 20,
            story_en="A story of the palace. " * 5,
        )
        for n in range(RELICS)
    )
    Tag.objects.bulk_create(
        Tag(slug=f"tag-{n:02d}", name_zh=f"标签{n}", name_en=f"Tag {n}") for n in range(TAGS)
    )
    return Collection.objects.bulk_create(
        Collection(
            slug=f"collection-{n:02d}",
            name_zh=f"{NAMES_ZH[n % 10]}系列{n}",
            name_en=f"{NAMES_EN[n % 10]} line {n}",
            position=n,
        )
        for n in range(COLLECTIONS)
    )


def _agreements(
    world: World, collections: list[Any], museum: Any, media: Any, now: dt.datetime
) -> None:
    from partners.models import Agreement, AgreementParty, AgreementVersion

    valid_from = (now - dt.timedelta(days=400)).date()
    for collection in collections:
        agreement = Agreement.objects.create(
            code=f"agreement-{collection.slug}",
            name_zh="合作协议",
            name_en="Agreement",
            collection=collection,
        )
        version = AgreementVersion.objects.create(
            agreement=agreement, number=1, valid_from=valid_from
        )
        AgreementParty.objects.bulk_create(
            [
                AgreementParty(
                    version=version, partner=museum, role="licensor", share_bp=LICENSOR_BP
                ),
                AgreementParty(
                    version=version, partner=media, role="designer", share_bp=10000 - LICENSOR_BP
                ),
            ]
        )
        world.version_ids[collection.pk] = version.pk


def _dashboard_viewer(world: World, museum: Any) -> None:
    from django.contrib.auth import get_user_model

    from partners.models import PartnerMembership
    from shop.accounts.tokens import device_token_create

    viewer = get_user_model().objects.create_user(email="viewer@museum.bench", password=None)
    PartnerMembership.objects.create(user=viewer, partner=museum, role="viewer")
    world.partner_token = device_token_create(user=viewer, name="bench")[1]


def world_create(now: dt.datetime) -> World:
    world = World()
    museum, media = _partners_and_warehouses(world)
    _channels(world, museum, media)
    collections = _relics_tags_and_collections()
    world.collection_ids = [c.pk for c in collections]
    _agreements(world, collections, museum, media, now)
    _dashboard_viewer(world, museum)
    return world
