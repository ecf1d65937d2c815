"""A small catalog to search in: the demo's kinds of names (fans, scarves, tea, stationery,
relics and collections), some sold out, every product's search text refreshed as the
admin and the CSV import leave it, and the demo's synonyms."""

from __future__ import annotations

from dataclasses import dataclass

from catalog.search import product_search_text_refresh
from catalog.search.models import SearchSynonym
from tests.factories.catalog import (
    CollectionFactory,
    RelicFactory,
    TagFactory,
    product_with_variant,
)


@dataclass(frozen=True)
class Item:
    slug: str
    zh: str
    en: str
    relic: str = ""
    collection: str = ""
    tags: tuple[str, ...] = ()
    description: str = ""
    quantity: int = 5


ITEMS = (
    Item(
        "crane-round-fan", "仙鹤团扇", "Crane Round Fan", "crane", "glory", ("summer",), "绢面竹骨"
    ),
    Item("plain-round-fan", "团扇", "Round Fan", collection="glory", description="素绢"),
    Item("fu-folding-fan", "福字折扇", "Fu Folding Fan", "stele", "wisdom", ("gift",)),
    Item("fu-brass-bookmark", "福字黄铜书签", "Fu Brass Bookmark", "stele", "wisdom", ("gift",)),
    Item("stele-rubbing-scroll", "碑拓挂轴", "Stele Rubbing Scroll", "stele", "wisdom"),
    Item("gilt-red-envelopes", "烫金红包", "Gilt Red Envelopes", description="福字烫金，喜庆"),
    Item("dragon-pattern-scarf", "龙纹围巾", "Dragon Pattern Scarf", "robe", "glory", ("silk",)),
    Item("butterfly-silk-square", "百蝶真丝方巾", "Hundred Butterflies Silk Square", "", "glory"),
    Item("palace-jasmine-tea", "王府茉莉花茶", "Palace Jasmine Tea", "", "classics", ("tea",)),
    Item("wisteria-tea-set", "大戏楼藤萝茶具套装", "Grand Opera House Wisteria Tea Set"),
    Item(
        "opera-mask-magnets", "戏楼脸谱冰箱贴", "Opera Mask Fridge Magnets", collection="classics"
    ),
    Item("brocade-sachet", "锦缎香囊", "Brocade Sachet", tags=("silk",)),
    Item("hundred-bats-cushion", "多福轩百蝠抱枕", "Hall of Blessing Hundred Bats Cushion"),
    Item("xiyang-gate-night-light", "西洋门小夜灯", "Xiyang Gate Night Light"),
    Item("palace-panorama-jigsaw", "王府全景拼图", "Palace Panorama Jigsaw"),
    Item("lotus-mug", "青花莲纹马克杯", "Blue-and-White Lotus Mug"),
    # Sold out, and first by slug: at equal relevance it still comes after the mug.
    Item("a-lotus-teacup", "青花莲纹茶杯", "Blue-and-White Lotus Teacup", quantity=0),
    Item("study-seal", "书斋印章", "Study Seal", description="寿山石篆刻，可定制刻字"),
)
RELICS = {
    "crane": ("仙鹤图", "Painting of Cranes"),
    "stele": ("福字碑", "Fu Character Stele"),
    "robe": ("蟒袍", "Python Robe"),
}
COLLECTIONS = {
    "glory": ("锦绣华服", "Glory of Brocade"),
    "wisdom": ("智慧之花", "Blossoms of Wisdom"),
    "classics": ("王府经典", "Palace Classics"),
}
TAGS = {
    "summer": ("夏日", "Summer"),
    "gift": ("礼品", "Gift"),
    "silk": ("丝绸", "Silk"),
    "tea": ("茶", "Tea"),
}
SYNONYMS = (("扇子", "扇"), ("丝巾", "围巾"), ("丝巾", "方巾"), ("杯子", "杯"), ("靠枕", "抱枕"))


def search_catalog() -> dict[str, object]:
    """The catalog above, by slug."""
    for term, replacement in SYNONYMS:
        SearchSynonym.objects.create(term=term, replacement=replacement)
    relics = {
        key: RelicFactory(slug=f"relic-{key}", name_zh=zh, name_en=en)
        for key, (zh, en) in RELICS.items()
    }
    collections = {
        key: CollectionFactory(slug=key, name_zh=zh, name_en=en)
        for key, (zh, en) in COLLECTIONS.items()
    }
    tags = {key: TagFactory(slug=key, name_zh=zh, name_en=en) for key, (zh, en) in TAGS.items()}
    products = {}
    for item in ITEMS:
        product = product_with_variant(
            slug=item.slug,
            name_zh=item.zh,
            name_en=item.en,
            description_zh=item.description,
            description_en="",
            relic=relics.get(item.relic),
            collection=collections.get(item.collection),
            quantity=item.quantity,
        )
        product.tags.add(*(tags[key] for key in item.tags))
        products[item.slug] = product
    for product in products.values():
        product_search_text_refresh(product)
    return products
