"""The benchmark's data: a small world through the ORM, then the catalog and a year of
sales in bulk with PostgreSQL's COPY and set-based INSERT ... SELECT.

Sizes grow in steps (``catalog_grow(to=...)``, ``sales_grow(to_lines=...)``) so the size
sweeps measure 1k, 10k, 100k products and 10k, 100k, 1M order lines on one database.
Rows are written with explicit ids and triggers off (``session_replication_role =
replica``: no per-row foreign-key checks; the generator keeps every reference valid),
then the sequences are moved past the ids used.

The sales are what the partner reports read: paid orders and their lines over the last
365 days (a few products sell much more than the rest), the ledger entries of their
payments split exactly as the agreements say (commission, then 60/40 between licensor
and designer, to the fen), the daily sales rows summed from them, and one settlement per
partner and month, the months before this one closed with their statement lines.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import psycopg
from django.db import connection
from django.utils import timezone

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


def _copy(table: str, columns: list[str], rows: Any) -> int:
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
    return count


def _execute(sql: str, params: Any = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _replica_mode(on: bool = True) -> None:
    _execute(f"SET session_replication_role = {'replica' if on else 'origin'}")


def _sequences_reset(tables: list[str]) -> None:
    for table in tables:
        _execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
            f"GREATEST((SELECT max(id) FROM {table}), 1))"
        )


# --- The small world, through the ORM -------------------------------------------------------


def world_create(now: dt.datetime) -> World:
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from catalog.models import Collection, Relic, Tag, Warehouse
    from partners.models import (
        Agreement,
        AgreementParty,
        AgreementVersion,
        Partner,
        PartnerMembership,
    )
    from shop.channels.models import ChannelKind
    from shop.channels.services import channel_create
    from shop.checkout.models import ShippingMethod

    world = World()
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
    collections = Collection.objects.bulk_create(
        Collection(
            slug=f"collection-{n:02d}",
            name_zh=f"{NAMES_ZH[n % 10]}系列{n}",
            name_en=f"{NAMES_EN[n % 10]} line {n}",
            position=n,
        )
        for n in range(COLLECTIONS)
    )
    world.collection_ids = [c.pk for c in collections]
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
    viewer = get_user_model().objects.create_user(email="viewer@museum.bench", password=None)
    PartnerMembership.objects.create(user=viewer, partner=museum, role="viewer")
    world.partner_token = Token.objects.create(user=viewer).key
    return world


# --- The catalog, in bulk ------------------------------------------------------------------


def _price(index: int, position: int) -> Decimal:
    return Decimal(39 + (index * 37) % 900) + Decimal(20 * position) + Decimal("0.90")


def _product_names(index: int) -> tuple[str, str]:
    zh = f"{NAMES_ZH[index % 10]}{KINDS_ZH[(index // 10) % 10]} {index}"
    en = f"{NAMES_EN[index % 10]} {KINDS_EN[(index // 10) % 10]} {index}"
    return zh, en


def product_slug(index: int) -> str:
    return f"bench-{index:06d}"


def variant_sku(index: int, position: int) -> str:
    return f"B{index:06d}-{position}"


def variant_id(index: int, position: int) -> int:
    return index * 2 + position + 1


def _picture_stored() -> tuple[str, int, int]:
    """One picture every product shows, stored once with its sizes, so the product list
    answers what a real catalog answers: addresses of files that exist. Its name, width
    and height."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from PIL import Image

    from catalog.images.sizes import picture_sizes_make
    from catalog.models import ProductImage

    name = "products/bench/product.jpg"
    if not default_storage.exists(name):
        buffer = io.BytesIO()
        Image.new("RGB", (1600, 1600), "#8c2f39").save(buffer, format="JPEG")
        default_storage.save(name, ContentFile(buffer.getvalue()))
    picture = ProductImage(image=name)  # never saved: for its width, height and sizes
    picture_sizes_make(picture)
    return name, picture.width or 0, picture.height or 0


def catalog_grow(world: World, *, to: int, now: dt.datetime) -> int:
    """Add products ``world.products .. to - 1``: two variants each, stock in both
    warehouses, listed in both public channels. Returns the number of products added."""
    start, end = world.products, to
    if end <= start:
        return 0
    _replica_mode()
    rng = random.Random(start)
    times = [now - dt.timedelta(days=rng.random() * 700) for _ in range(start, end)]
    tags = {i: (i % TAGS, (i * 7 + 3) % TAGS) for i in range(start, end)}
    # Written with the products rather than updated after: an update writes every row
    # again, with all its search indexes.
    relic_ids = dict(
        _fetch(
            "SELECT substring(slug from 7)::int, id FROM catalog_relic WHERE slug LIKE 'relic-%%'"
        )
    )

    def products():
        for i in range(start, end):
            zh, en = _product_names(i)
            description_zh = f"取材于{NAMES_ZH[i % 10]}纹样的文创{KINDS_ZH[(i // 10) % 10]}。"
            description_en = f"A {KINDS_EN[(i // 10) % 10].lower()} after a palace pattern."
            search = "\n".join(
                [product_slug(i), zh, en, description_zh, description_en]
                + [f"tag-{t:02d}\n标签{t}\ntag {t}" for t in tags[i]]
                + [variant_sku(i, 0), variant_sku(i, 1)]
            ).lower()
            created = times[i - start]
            yield (
                i + 1,
                product_slug(i),
                world.collection_ids[i % COLLECTIONS],
                relic_ids[i % RELICS],
                zh,
                en,
                description_zh,
                description_en,
                True,
                False,
                "",
                "",
                "",
                search,
                created,
                created,
            )

    _copy(
        "catalog_product",
        [
            "id",
            "slug",
            "collection_id",
            "relic_id",
            "name_zh",
            "name_en",
            "description_zh",
            "description_en",
            "is_active",
            "personalisation_enabled",
            "personalisation_label_zh",
            "personalisation_label_en",
            "personalisation_charset",
            "search_text",
            "created_at",
            "updated_at",
        ],
        products(),
    )
    tag_ids = dict(
        _fetch("SELECT substring(slug from 5)::int, id FROM catalog_tag WHERE slug LIKE 'tag-%%'")
    )
    _copy(
        "catalog_product_tags",
        ["product_id", "tag_id"],
        ((i + 1, tag_ids[t]) for i in range(start, end) for t in sorted(set(tags[i]))),
    )
    _copy(
        "catalog_productvariant",
        [
            "id",
            "product_id",
            "sku",
            "name_zh",
            "name_en",
            "options",
            "price",
            "weight_grams",
            "position",
            "is_active",
            "created_at",
            "updated_at",
        ],
        (
            (
                variant_id(i, v),
                i + 1,
                variant_sku(i, v),
                ["小号", "大号"][v],
                ["Small", "Large"][v],
                json.dumps({"size": "SL"[v]}),
                _price(i, v),
                200,
                v,
                True,
                times[i - start],
                times[i - start],
            )
            for i in range(start, end)
            for v in (0, 1)
        ),
    )
    picture, width, height = _picture_stored()
    _copy(
        "catalog_productimage",
        ["product_id", "image", "width", "height", "external_url", "alt_zh", "alt_en", "position"],
        (
            (i + 1, picture, width, height, "", "产品图片", "Product photo", 0)
            for i in range(start, end)
        ),
    )
    channels = (world.web_channel_id, world.app_channel_id)
    _copy(
        "catalog_productchannellisting",
        ["product_id", "channel_id", "is_published", "created_at", "updated_at"],
        ((i + 1, c, True, now, now) for i in range(start, end) for c in channels),
    )
    _copy(
        "catalog_variantchannelprice",
        ["variant_id", "channel_id", "price"],
        (
            (
                variant_id(i, 0),
                world.app_channel_id,
                (_price(i, 0) * Decimal("0.9")).quantize(Decimal("0.01")),
            )
            for i in range(start, end)
            if i % 10 == 0
        ),
    )
    warehouses = sorted(world.warehouse_ids.values())
    _copy(
        "catalog_stock",
        [
            "variant_id",
            "warehouse_id",
            "quantity",
            "quantity_reserved",
            "low_stock_threshold",
            "updated_at",
        ],
        (
            (variant_id(i, v), w, 0 if (i % 20 == 7 and v == 1) else STOCK_UNITS, 0, 5, now)
            for i in range(start, end)
            for v in (0, 1)
            for w in warehouses
        ),
    )
    _sequences_reset(
        [
            "catalog_product",
            "catalog_productvariant",
            "catalog_productimage",
            "catalog_productchannellisting",
            "catalog_variantchannelprice",
            "catalog_stock",
            "catalog_product_tags",
        ]
    )
    _replica_mode(False)
    # What autovacuum does a minute after a bulk load, before the scenarios measure:
    # statistics, the visibility map index-only scans rely on, and the GIN indexes'
    # pending entries (a search reads those one by one until they are merged).
    _execute("VACUUM ANALYZE " + ", ".join(CATALOG_TABLES))
    _list_entries_write()
    world.products = end
    return end - start


CATALOG_TABLES = [
    "catalog_product",
    "catalog_product_tags",
    "catalog_productvariant",
    "catalog_productimage",
    "catalog_productchannellisting",
    "catalog_variantchannelprice",
    "catalog_stock",
]


def _list_entries_write() -> None:
    """The product list's entries, as the shop's own writes keep them (the rows above
    were written behind its back), vacuumed like the tables they are made of."""
    from catalog.list_entries import list_entries_rebuild

    _replica_mode()  # derived from rows known to be valid: no per-row foreign-key check
    list_entries_rebuild()
    _replica_mode(False)
    _execute("VACUUM ANALYZE catalog_productlistentry")


def _fetch(sql: str, params: Any = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


# --- A year of sales, in bulk --------------------------------------------------------------


def _popular_product(rng: random.Random, products: int) -> int:
    """Few products sell most: a cubic skew towards the first ones."""
    return min(int(products * rng.random() ** 3), products - 1)


def sales_grow(world: World, *, to_lines: int, now: dt.datetime) -> int:
    """Add paid orders until there are ``to_lines`` order lines, with their ledger entries
    and daily sales rows; then re-close the past months' settlements."""
    if to_lines <= world.lines:
        return 0
    _replica_mode()
    rng = random.Random(world.lines + 1)
    # Orders placed by the scenarios meanwhile took ids from the sequences: go past them.
    ((order_id, line_id),) = _fetch(
        "SELECT (SELECT coalesce(max(id), 0) FROM orders_order), "
        "(SELECT coalesce(max(id), 0) FROM orders_orderline)"
    )
    first_order = order_id + 1
    order_rows: list[tuple] = []
    line_rows: list[tuple] = []
    seeded = world.lines
    channels = [world.web_channel_id] * 3 + [world.app_channel_id] * 2
    year = dt.timedelta(days=365)
    while seeded < to_lines:
        order_id += 1
        created = now - year * rng.random()
        paid = created + dt.timedelta(minutes=2)
        channel = channels[order_id % 5]
        subtotal = Decimal("0.00")
        for _ in range(min(rng.choice(LINES_PER_ORDER), to_lines - seeded)):
            line_id += 1
            seeded += 1
            index = _popular_product(rng, world.products)
            position = line_id % 2
            quantity = 1 + (line_id % 7 == 0)
            price = _price(index, position)
            total = price * quantity
            subtotal += total
            zh, _ = _product_names(index)
            line_rows.append(
                (
                    line_id,
                    order_id,
                    variant_id(index, position),
                    index + 1,
                    channel,
                    zh,
                    ["小号", "大号"][position],
                    variant_sku(index, position),
                    quantity,
                    0,
                    "CNY",
                    price,
                    total,
                    "",
                    world.version_ids[world.collection_ids[index % COLLECTIONS]],
                    paid,
                )
            )
        order_rows.append(
            (
                order_id,
                f"B{order_id:010d}",
                channel,
                f"seed-{order_id}",
                "",
                "completed",
                f"shopper{order_id % 50000}@example.com",
                ADDRESS["phone"],
                "",
                "",
                json.dumps(ADDRESS),
                "标准快递",
                "zh",
                "CNY",
                subtotal,
                Decimal("0.00"),
                Decimal("0.00"),
                subtotal,
                subtotal,
                Decimal("0.00"),
                paid,
                created,
                paid,
            )
        )
    _copy(
        "orders_order",
        [
            "id",
            "number",
            "channel_id",
            "idempotency_key",
            "idempotency_fingerprint",
            "status",
            "email",
            "phone",
            "voucher_code",
            "note",
            "shipping_address",
            "shipping_method_name",
            "language",
            "currency",
            "subtotal",
            "shipping_price",
            "discount",
            "total",
            "amount_paid",
            "amount_refunded",
            "paid_at",
            "created_at",
            "updated_at",
        ],
        order_rows,
    )
    _copy(
        "orders_orderline",
        [
            "id",
            "order_id",
            "variant_id",
            "product_id",
            "channel_id",
            "product_name",
            "variant_name",
            "sku",
            "quantity",
            "quantity_refunded",
            "currency",
            "unit_price",
            "line_total",
            "personalisation",
            "agreement_version_id",
            "created_at",
        ],
        line_rows,
    )
    _sequences_reset(["orders_order", "orders_orderline"])
    _settlements_ensure(world, now)
    _ledger_insert(world, first_order, order_id)
    _daily_sales_insert(first_order, order_id)
    _daily_rollups_rebuild()
    _settlements_close(now)
    _replica_mode(False)
    _execute("ANALYZE orders_order; ANALYZE orders_orderline")
    _execute("ANALYZE partners_ledgerentry; ANALYZE partners_dailysales")
    _execute("ANALYZE partners_dailytotals; ANALYZE partners_monthlyproductsales")
    world.orders, world.lines = order_id, seeded
    return len(line_rows)


def _settlements_ensure(world: World, now: dt.datetime) -> None:
    _execute(
        """
        INSERT INTO partners_settlement (partner_id, period, status, gross, commissions,
            refunds, logistics_fees, payment_fees, net, transfer_status, stripe_transfer_id,
            created_at, updated_at)
        SELECT p.id, m::date, 'open', 0, 0, 0, 0, 0, 0, 'none', '', %(now)s, %(now)s
        FROM partners_partner p,
             generate_series(date_trunc('month', (%(now)s::timestamptz AT TIME ZONE
                 'Asia/Shanghai') - interval '366 days'),
                 date_trunc('month', %(now)s::timestamptz AT TIME ZONE 'Asia/Shanghai'),
                 interval '1 month') m
        ON CONFLICT (partner_id, period) DO NOTHING
        """,
        {"now": now},
    )


def _ledger_insert(world: World, first_order: int, last_order: int) -> None:
    """The payment's split of each line: the channel owner's commission, then the
    licensor's 60% (rounded down to the fen) and the designer the rest."""
    _execute(
        """
        WITH line AS (
            SELECT l.id, l.order_id, l.product_id, l.channel_id, l.agreement_version_id,
                   l.line_total, o.paid_at, c.owner_id, c.commission_rate,
                   round(l.line_total * c.commission_rate, 2) AS commission,
                   row_number() OVER (PARTITION BY l.order_id ORDER BY l.id) AS n,
                   (date_trunc('month', o.paid_at AT TIME ZONE 'Asia/Shanghai'))::date AS period
            FROM orders_orderline l
            JOIN orders_order o ON o.id = l.order_id
            JOIN channels_saleschannel c ON c.id = l.channel_id
            WHERE l.order_id BETWEEN %(first)s AND %(last)s
        ), part AS (
            SELECT line.*, owner_id AS partner_id, 'channel_commission' AS kind,
                   'channel_owner' AS role, commission AS amount, NULL::int AS share_bp, 0 AS k
            FROM line WHERE commission > 0
            UNION ALL
            SELECT line.*, %(museum)s, 'sale_share', 'licensor',
                   floor((line_total - commission) * %(bp)s / 100) / 100, %(bp)s, 1
            FROM line
            UNION ALL
            SELECT line.*, %(media)s, 'sale_share', 'designer',
                   (line_total - commission)
                   - floor((line_total - commission) * %(bp)s / 100) / 100,
                   10000 - %(bp)s, 2
            FROM line
        )
        INSERT INTO partners_ledgerentry (partner_id, settlement_id, period, kind,
            reversed_kind, role, amount, share_bp, commission_rate, order_id, order_line_id,
            agreement_version_id, channel_id, product_id, warehouse_id, source, position,
            occurred_at, created_at)
        SELECT part.partner_id, s.id, part.period, part.kind, '', part.role, part.amount,
               part.share_bp,
               CASE WHEN part.kind = 'channel_commission' THEN part.commission_rate END,
               part.order_id, part.id, part.agreement_version_id, part.channel_id,
               part.product_id,
               CASE WHEN part.owner_id = %(museum)s THEN %(museum_wh)s ELSE %(media_wh)s END,
               'payment:' || part.order_id, (part.n - 1) * 3 + part.k, part.paid_at, part.paid_at
        FROM part
        JOIN partners_settlement s ON s.partner_id = part.partner_id AND s.period = part.period
        """,
        {
            "first": first_order,
            "last": last_order,
            "museum": world.museum_id,
            "media": world.media_id,
            "bp": LICENSOR_BP,
            "museum_wh": world.warehouse_ids[world.museum_id],
            "media_wh": world.warehouse_ids[world.media_id],
        },
    )


def _daily_sales_insert(first_order: int, last_order: int) -> None:
    """Each partner's daily rows: units and revenue of the lines it has money on, and
    its own share of them, added to rows already there."""
    _execute(
        """
        INSERT INTO partners_dailysales AS d (partner_id, day, channel_id, product_id,
            collection_id, warehouse_id, units, units_refunded, gross, refunds, own_share)
        SELECT own.partner_id, (o.paid_at AT TIME ZONE 'Asia/Shanghai')::date, l.channel_id,
               l.product_id, coalesce(p.collection_id, 0), own.warehouse_id,
               sum(l.quantity), 0, sum(l.line_total), 0, sum(own.amount)
        FROM (
            SELECT order_line_id, partner_id, sum(amount) AS amount,
                   min(warehouse_id) AS warehouse_id
            FROM partners_ledgerentry
            WHERE order_id BETWEEN %(first)s AND %(last)s
            GROUP BY order_line_id, partner_id
        ) own
        JOIN orders_orderline l ON l.id = own.order_line_id
        JOIN orders_order o ON o.id = l.order_id
        JOIN catalog_product p ON p.id = l.product_id
        GROUP BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (partner_id, day, channel_id, product_id, collection_id, warehouse_id)
        DO UPDATE SET units = d.units + excluded.units, gross = d.gross + excluded.gross,
                      own_share = d.own_share + excluded.own_share
        """,
        {"first": first_order, "last": last_order},
    )


def _daily_rollups_rebuild() -> None:
    """The daily totals and monthly product rows, summed anew from the daily rows (the
    shop's ledger writes all three in one statement; the seed writes the daily rows in
    bulk, then these)."""
    figures = "units, units_refunded, gross, refunds, own_share"
    sums = "sum(units), sum(units_refunded), sum(gross), sum(refunds), sum(own_share)"
    _execute("TRUNCATE partners_dailytotals, partners_monthlyproductsales")
    _execute(
        "INSERT INTO partners_dailytotals (partner_id, day, channel_id, collection_id,"  # noqa: S608
        f" warehouse_id, {figures}) SELECT partner_id, day, channel_id, collection_id,"
        f" warehouse_id, {sums} FROM partners_dailysales GROUP BY 1, 2, 3, 4, 5"
    )
    _execute(
        "INSERT INTO partners_monthlyproductsales (partner_id, month, product_id,"  # noqa: S608
        f" {figures}) SELECT partner_id, date_trunc('month', day)::date, product_id,"
        f" {sums} FROM partners_dailysales GROUP BY 1, 2, 3"
    )


def _settlements_close(now: dt.datetime) -> None:
    """Months before this one are closed: their totals and a statement line per order,
    summed from the ledger (again after every growth step)."""
    this_month = timezone.localtime(now).date().replace(day=1)
    _execute(
        "DELETE FROM partners_settlementline WHERE settlement_id IN "
        "(SELECT id FROM partners_settlement WHERE period < %s)",
        [this_month],
    )
    _execute(
        """
        INSERT INTO partners_settlementline (settlement_id, order_id, order_number, gross,
            commissions, refunds, logistics_fees, payment_fees, net)
        SELECT e.settlement_id, e.order_id, o.number,
               coalesce(sum(e.amount)
                        FILTER (WHERE e.kind IN ('sale_share', 'shipping_income')), 0),
               coalesce(sum(e.amount) FILTER (WHERE e.kind = 'channel_commission'), 0),
               0, 0, 0, sum(e.amount)
        FROM partners_ledgerentry e
        JOIN orders_order o ON o.id = e.order_id
        JOIN partners_settlement s ON s.id = e.settlement_id
        WHERE s.period < %s
        GROUP BY e.settlement_id, e.order_id, o.number
        """,
        [this_month],
    )
    _execute(
        """
        UPDATE partners_settlement s SET status = 'closed', closed_at = %(now)s,
               gross = t.gross, commissions = t.commissions, net = t.gross + t.commissions
        FROM (
            SELECT s2.id, coalesce(sum(l.gross), 0) AS gross,
                   coalesce(sum(l.commissions), 0) AS commissions
            FROM partners_settlement s2
            LEFT JOIN partners_settlementline l ON l.settlement_id = s2.id
            WHERE s2.period < %(month)s
            GROUP BY s2.id
        ) t
        WHERE s.id = t.id
        """,
        {"now": now, "month": this_month},
    )


# --- Scenario fixtures ---------------------------------------------------------------------


def drop_prepare(world: World, *, units: int, now: dt.datetime, code: str) -> str:
    """A limited edition of ``units`` in a livestream drop open now; returns its SKU."""
    from catalog.list_entries import list_entries_refresh
    from catalog.models import Product, ProductChannelListing, ProductVariant, Warehouse
    from catalog.stock.services import stock_receive
    from shop.channels.models import LivestreamDrop

    # Ids far above the bulk catalog's (which derives ids from its product numbers).
    product = Product.objects.create(
        id=DROP_ID_BASE + world.products,
        slug=f"drop-{code}",
        name_zh="直播限量版",
        name_en="Livestream limited edition",
        collection_id=world.collection_ids[0],
        edition_size=units,
        purchase_limit=1,
    )
    variant = ProductVariant.objects.create(
        id=2 * DROP_ID_BASE + world.products,
        product=product,
        sku=f"DROP-{code}".upper(),
        price=Decimal("1999.00"),
    )
    ProductChannelListing.objects.create(product=product, channel_id=world.live_channel_id)
    list_entries_refresh(product_ids=[product.pk])
    drop = LivestreamDrop.objects.create(
        channel_id=world.live_channel_id,
        code=f"drop-{code}",
        name_zh="直播专场",
        name_en="Livestream drop",
        starts_at=now - dt.timedelta(minutes=5),
        ends_at=now + dt.timedelta(hours=2),
    )
    drop.variants.add(variant)
    stock_receive(
        variant=variant,
        warehouse=Warehouse.objects.get(pk=world.warehouse_ids[world.media_id]),
        quantity=units,
        batch_reference=f"drop {code}",
        user=None,
    )
    return variant.sku


def drop_outcome(sku: str) -> dict[str, int]:
    from django.db.models import F, Sum

    from catalog.models import Stock
    from shop.orders.models import OrderLine

    stock = Stock.objects.filter(variant__sku=sku).aggregate(
        on_hand=Sum("quantity"), free=Sum(F("quantity") - F("quantity_reserved"))
    )
    orders = OrderLine.objects.filter(sku=sku).values("order_id").distinct().count()
    return {"orders": orders, "on_hand": stock["on_hand"] or 0, "free": stock["free"] or 0}


def statement_ids(world: World, now: dt.datetime) -> dict[str, int]:
    """The museum's settlement of last month (closed) and of this month (open)."""
    from partners.models import Settlement

    this_month = timezone.localtime(now).date().replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    return {
        "closed": Settlement.objects.get(partner_id=world.museum_id, period=last_month).pk,
        "open": Settlement.objects.get(partner_id=world.museum_id, period=this_month).pk,
    }


def database_reset(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def database_drop(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# What the selling scenarios write to: the planner must know how big they have grown.
SELLING_TABLES = (
    "carts_cart",
    "carts_cartline",
    "orders_order",
    "orders_orderline",
    "orders_orderevent",
    "checkout_reservation",
    "payments_payment",
    "payments_fakecharge",
    "partners_ledgerentry",
    "partners_dailysales",
    "partners_dailytotals",
    "partners_monthlyproductsales",
    "catalog_stock",
    "fulfillment_shipment",
)


def autovacuum_on() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        return str(cursor.fetchone()[0]) == "on"


def selling_tables_analyze() -> None:
    """What autovacuum does on a production server (it is off on some machines, which
    leaves the planner believing the order tables as empty as when they were seeded)."""
    _execute("ANALYZE " + ", ".join(SELLING_TABLES))
