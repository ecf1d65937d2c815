"""Demo products of "Blossoms of Wisdom" (智慧之花): study treasures and blessings."""

# Chinese texts use full-width punctuation on purpose.

from __future__ import annotations

from shop.demo.data.records import DemoPersonalisation, DemoProduct, DemoVariant

COLLECTION = "blossoms-of-wisdom"

PRODUCTS = (
    DemoProduct(
        slug="fu-stele-rubbing-scroll",
        collection=COLLECTION,
        relic="fu-character-stele",
        name_zh="福字碑拓片复刻挂轴",
        name_en="Fu Stele Rubbing Scroll",
        description_zh="按原碑比例复刻的拓片挂轴，宣纸托裱，配实木轴头，悬于厅堂，纳福迎祥。",
        description_en=(
            "A rubbing of the Fu stele reproduced to scale on xuan paper with solid wood "
            "rollers, to hang in the hall and welcome blessings."
        ),
        tags=("home", "gift"),
        variants=(
            DemoVariant(
                sku="BW-SCR-01-S",
                price="268.00",
                options={"size": "S"},
                name_zh="小号 50cm",
                name_en="Small 50 cm",
                weight_grams=600,
            ),
            DemoVariant(
                sku="BW-SCR-01-L",
                price="468.00",
                options={"size": "L"},
                name_zh="大号 100cm",
                name_en="Large 100 cm",
                weight_grams=1200,
                stock={"museum-bj": 3},
            ),
        ),
        image_count=2,
        extra_channels=("museum-onsite", "media-app"),
    ),
    DemoProduct(
        slug="fu-brass-bookmark",
        collection=COLLECTION,
        relic="fu-character-stele",
        name_zh="福字黄铜书签",
        name_en="Fu Brass Bookmark",
        description_zh="镂空蚀刻福字，黄铜材质随时间温润发亮，附流苏与礼盒。",
        description_en=(
            "An etched openwork Fu character in brass that mellows with use, with a tassel "
            "and gift box."
        ),
        tags=("stationery", "gift"),
        variants=(DemoVariant(sku="BW-BMK-01", price="58.00", weight_grams=60),),
        extra_channels=("museum-onsite", "media-app", "media-social"),
        stock={"museum-bj": 150, "media-bj": 80},
    ),
    DemoProduct(
        slug="fu-folding-fan",
        collection=COLLECTION,
        relic="fu-character-stele",
        name_zh="福字折扇",
        name_en="Fu Folding Fan",
        description_zh="竹骨绢面折扇，一面福字，一面秘云洞山石小景。",
        description_en=(
            "A bamboo and silk folding fan with the Fu character on one side and the rocks "
            "of the Secret Cloud Cave on the other."
        ),
        tags=("gift", "accessories"),
        variants=(
            DemoVariant(
                sku="BW-FAN-01-S",
                price="128.00",
                options={"size": "S"},
                name_zh="小号",
                name_en="Small",
                channel_prices={"media-app": "118.00"},
            ),
            DemoVariant(
                sku="BW-FAN-01-L",
                price="168.00",
                options={"size": "L"},
                name_zh="大号",
                name_en="Large",
            ),
        ),
        image_count=2,
        extra_channels=("museum-onsite", "media-app", "media-live"),
    ),
    DemoProduct(
        slug="crabapple-notebook",
        collection=COLLECTION,
        relic="ancient-crabapple-trees",
        name_zh="海棠手账本",
        name_en="Crabapple Notebook",
        description_zh="布面精装手账，内页印有淡淡的海棠花影，适合记录读书笔记与诗句。",
        description_en=(
            "A cloth-bound journal whose pages carry the faint shadows of crabapple "
            "blossoms, for reading notes and verse."
        ),
        tags=("stationery",),
        variants=(
            DemoVariant(
                sku="BW-NTB-01-PNK",
                price="68.00",
                options={"colour": "pink"},
                name_zh="海棠粉",
                name_en="Blossom pink",
            ),
            DemoVariant(
                sku="BW-NTB-01-GRN",
                price="68.00",
                options={"colour": "green"},
                name_zh="叶绿",
                name_en="Leaf green",
            ),
        ),
        extra_channels=("media-social",),
    ),
    DemoProduct(
        slug="four-treasures-study-set",
        collection=COLLECTION,
        relic="study-jade-seal",
        name_zh="王府文房四宝套装",
        name_en="Palace Four Treasures of the Study",
        description_zh="湖笔、徽墨、宣纸、端砚各一，锦盒装，复现王府书斋的日常。",
        description_en=(
            "A Huzhou brush, Hui ink stick, xuan paper and Duan inkstone in a brocade box, "
            "recreating a day in the prince's study."
        ),
        tags=("stationery", "gift"),
        variants=(DemoVariant(sku="BW-STD-01", price="398.00", weight_grams=1500),),
        extra_channels=("museum-onsite",),
        stock={"museum-bj": 25},
    ),
    DemoProduct(
        slug="engraved-name-seal",
        collection=COLLECTION,
        relic="study-jade-seal",
        name_zh="书斋印章·定制刻字",
        name_en="Study Seal with Your Engraved Name",
        description_zh="仿书斋青玉印钮式，由篆刻师按您提供的名字手工刻制，约十个工作日发货。",
        description_en=(
            "Modelled on the study's jade seal and hand-carved with the name you give us by "
            "a seal engraver; ships in about ten working days."
        ),
        tags=("stationery", "gift"),
        variants=(
            DemoVariant(
                sku="BW-SEAL-01-GRN",
                price="198.00",
                options={"colour": "green"},
                name_zh="青玉色",
                name_en="Jade green",
            ),
            DemoVariant(
                sku="BW-SEAL-01-IVY",
                price="198.00",
                options={"colour": "ivory"},
                name_zh="象牙白",
                name_en="Ivory",
            ),
        ),
        extra_channels=("museum-onsite", "media-app"),
        stock={"museum-bj": 40},
        personalisation=DemoPersonalisation(
            label_zh="刻字", label_en="Engraved name", max_length=8, charset="han_latin"
        ),
    ),
    DemoProduct(
        slug="fu-red-envelopes",
        collection=COLLECTION,
        relic="fu-character-stele",
        name_zh="福字烫金红包",
        name_en="Gilt Fu Red Envelopes",
        description_zh="烫金福字红包，新春与喜事皆宜。",
        description_en="Red envelopes stamped with a gilt Fu, for the New Year and celebrations.",
        tags=("gift",),
        variants=(
            DemoVariant(
                sku="BW-ENV-01-8",
                price="28.00",
                options={"pack": "8"},
                name_zh="8 枚装",
                name_en="Pack of 8",
                weight_grams=80,
            ),
            DemoVariant(
                sku="BW-ENV-01-16",
                price="48.00",
                options={"pack": "16"},
                name_zh="16 枚装",
                name_en="Pack of 16",
                weight_grams=150,
            ),
        ),
        extra_channels=("museum-onsite", "media-app", "media-social", "media-live"),
        stock={"museum-bj": 300, "media-bj": 200},
    ),
    DemoProduct(
        slug="bat-pond-paperweight",
        collection=COLLECTION,
        relic="bat-pond",
        name_zh="蝠池黄铜镇纸",
        name_en="Bat Pond Brass Paperweight",
        description_zh="以蝠池轮廓铸造的黄铜镇纸，压住纸张，也压住一池福气。",
        description_en=(
            "A brass paperweight cast in the outline of the Bat Pond, holding down your "
            "paper and a pond of good fortune."
        ),
        tags=("stationery", "home"),
        variants=(DemoVariant(sku="BW-PPW-01", price="158.00", weight_grams=450),),
    ),
    DemoProduct(
        slug="palace-panorama-jigsaw",
        collection=COLLECTION,
        relic=None,
        name_zh="王府全景拼图",
        name_en="Palace Panorama Jigsaw",
        description_zh="1000 片拼图，描绘府邸与花园的鸟瞰全景，附导览小册。",
        description_en=(
            "A 1000-piece bird's-eye panorama of the mansion and garden, with a small guide."
        ),
        tags=("gift", "home"),
        variants=(DemoVariant(sku="BW-JIG-01", price="129.00", weight_grams=900),),
        extra_channels=("media-social",),
        stock={"media-bj": 4},
    ),
    DemoProduct(
        slug="fu-stele-gilt-edition",
        collection=COLLECTION,
        relic="fu-character-stele",
        name_zh="福字碑鎏金限量摆件",
        name_en="Fu Stele Gilt Limited Edition",
        description_zh="按原碑缩比铸造，表面鎏金，附编号收藏证书，全球限量 300 件。",
        description_en=(
            "A scale casting of the stele finished in gilt, with a numbered certificate; "
            "300 pieces worldwide."
        ),
        tags=("limited", "gift", "home"),
        variants=(DemoVariant(sku="BW-GLD-01", price="1288.00", weight_grams=2000),),
        image_count=2,
        extra_channels=("media-live",),
        stock={"museum-bj": 120, "media-bj": 60},
        edition_size=300,
        purchase_limit=2,
    ),
)
