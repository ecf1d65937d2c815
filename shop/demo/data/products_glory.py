"""Demo products of "Fabrics of Glory" (锦绣华章): silk, embroidery and court dress."""

# Chinese texts use full-width punctuation on purpose.

from __future__ import annotations

from shop.demo.data.records import DemoProduct, DemoVariant

COLLECTION = "fabrics-of-glory"

PRODUCTS = (
    DemoProduct(
        slug="hundred-butterflies-silk-scarf",
        collection=COLLECTION,
        relic="hundred-butterflies-embroidery",
        name_zh="百蝶真丝方巾",
        name_en="Hundred Butterflies Silk Scarf",
        description_zh="桑蚕丝斜纹方巾，90 厘米见方，印制百蝶挂屏的牡丹与蝶影。",
        description_en=(
            "A 90 cm mulberry silk twill square printed with the peonies and butterflies "
            "of the embroidered screen."
        ),
        tags=("silk", "accessories", "gift"),
        variants=(
            DemoVariant(
                sku="FG-SCF-01-RED",
                price="398.00",
                options={"colour": "red"},
                name_zh="胭脂红",
                name_en="Rouge red",
                weight_grams=120,
            ),
            DemoVariant(
                sku="FG-SCF-01-BLU",
                price="398.00",
                options={"colour": "blue"},
                name_zh="石青蓝",
                name_en="Azurite blue",
                weight_grams=120,
            ),
        ),
        image_count=2,
        extra_channels=("museum-onsite", "media-app", "media-live"),
    ),
    DemoProduct(
        slug="embroidered-tote",
        collection=COLLECTION,
        relic="hundred-butterflies-embroidery",
        name_zh="蝶恋花刺绣帆布包",
        name_en="Butterfly Embroidered Tote",
        description_zh="厚帆布托特包，正面机绣蝴蝶与牡丹，内有拉链袋。",
        description_en=(
            "A heavy canvas tote embroidered with a butterfly and peony, with an inner zip pocket."
        ),
        tags=("accessories",),
        variants=(
            DemoVariant(
                sku="FG-TOT-01-NAT",
                price="168.00",
                options={"colour": "natural"},
                name_zh="本白",
                name_en="Natural",
                weight_grams=350,
            ),
            DemoVariant(
                sku="FG-TOT-01-BLK",
                price="168.00",
                options={"colour": "black"},
                name_zh="墨黑",
                name_en="Ink black",
                weight_grams=350,
                stock={"media-bj": 2},
            ),
        ),
        extra_channels=("media-app", "media-social"),
    ),
    DemoProduct(
        slug="silk-eye-mask",
        collection=COLLECTION,
        relic=None,
        name_zh="真丝眼罩",
        name_en="Silk Eye Mask",
        description_zh="22 姆米桑蚕丝，内填天然蚕丝，绣有小小的福字。",
        description_en=(
            "22 momme mulberry silk filled with natural silk floss, embroidered with a tiny Fu."
        ),
        tags=("silk", "accessories"),
        variants=(DemoVariant(sku="FG-EYE-01", price="128.00", weight_grams=50),),
        extra_channels=("media-app",),
    ),
    DemoProduct(
        slug="python-pattern-silk-tie",
        collection=COLLECTION,
        relic="python-robe",
        name_zh="蟒纹真丝领带",
        name_en="Python Pattern Silk Tie",
        description_zh="提花织造海水江崖纹，低调中见王府气度。",
        description_en=("Jacquard-woven waves and cliffs from the prince's robe, quietly regal."),
        tags=("silk", "accessories", "gift"),
        variants=(
            DemoVariant(
                sku="FG-TIE-01-NVY",
                price="298.00",
                options={"colour": "navy"},
                name_zh="石青",
                name_en="Navy",
                weight_grams=100,
            ),
            DemoVariant(
                sku="FG-TIE-01-RED",
                price="298.00",
                options={"colour": "red"},
                name_zh="朱红",
                name_en="Vermilion",
                weight_grams=100,
            ),
        ),
        extra_channels=("museum-onsite",),
    ),
    DemoProduct(
        slug="embroidery-starter-kit",
        collection=COLLECTION,
        relic="hundred-butterflies-embroidery",
        name_zh="苏绣入门材料包",
        name_en="Suzhou Embroidery Starter Kit",
        description_zh="含绷架、丝线、绣针与印稿，附视频教程，一只蝴蝶从第一针开始。",
        description_en=(
            "Hoop, silk threads, needles and a printed pattern with a video lesson: one "
            "butterfly, starting from the first stitch."
        ),
        tags=("gift", "silk"),
        variants=(DemoVariant(sku="FG-KIT-01", price="99.00", weight_grams=250),),
        extra_channels=("media-app", "media-social", "media-live"),
        stock={"media-bj": 180},
    ),
    DemoProduct(
        slug="crabapple-kesi-round-fan",
        collection=COLLECTION,
        relic="ancient-crabapple-trees",
        name_zh="海棠缂丝团扇·限量版",
        name_en="Crabapple Kesi Round Fan, Limited Edition",
        description_zh="“通经断纬”的缂丝工艺织出海棠一枝，紫檀扇柄，限量 500 柄，每人限购 2 柄。",
        description_en=(
            "A spray of crabapple woven in kesi silk tapestry with a rosewood handle; 500 "
            "fans, two per customer."
        ),
        tags=("limited", "silk", "gift"),
        variants=(DemoVariant(sku="FG-KSF-01", price="568.00", weight_grams=300),),
        image_count=2,
        extra_channels=("museum-onsite", "media-live"),
        stock={"museum-bj": 150, "media-bj": 100},
        edition_size=500,
        purchase_limit=2,
    ),
    DemoProduct(
        slug="hall-of-blessing-cushion",
        collection=COLLECTION,
        relic="hall-of-blessing",
        name_zh="多福轩百蝠抱枕",
        name_en="Hall of Blessing Hundred Bats Cushion",
        description_zh="织锦面料，满布多福轩梁枋上的蝙蝠纹，寓意福气满堂。",
        description_en=(
            "Brocade woven with the bats of the Hall of Blessing's beams: a house full of "
            "good fortune."
        ),
        tags=("home", "silk"),
        variants=(DemoVariant(sku="FG-CSH-01", price="188.00", weight_grams=600),),
        extra_channels=("media-app",),
    ),
    DemoProduct(
        slug="brocade-sachet",
        collection=COLLECTION,
        relic="python-robe",
        name_zh="锦缎香囊",
        name_en="Brocade Sachet",
        description_zh="宋锦缝制，内装艾草与薰衣草，挂于包上或衣柜中。",
        description_en=(
            "Sewn from Song brocade and filled with mugwort and lavender, for a bag or wardrobe."
        ),
        tags=("silk", "accessories", "gift"),
        variants=(
            DemoVariant(
                sku="FG-SAC-01-RED",
                price="78.00",
                options={"colour": "red"},
                name_zh="中国红",
                name_en="Red",
                weight_grams=40,
            ),
            DemoVariant(
                sku="FG-SAC-01-GLD",
                price="78.00",
                options={"colour": "gold"},
                name_zh="明黄",
                name_en="Gold",
                weight_grams=40,
            ),
            DemoVariant(
                sku="FG-SAC-01-GRN",
                price="78.00",
                options={"colour": "green"},
                name_zh="松绿",
                name_en="Pine green",
                weight_grams=40,
                stock={"museum-bj": 3, "media-bj": 0},
            ),
        ),
        extra_channels=("museum-onsite", "media-social", "media-live"),
    ),
    DemoProduct(
        slug="wisteria-embroidered-brooch",
        collection=COLLECTION,
        relic="hall-of-blessing",
        name_zh="藤萝刺绣胸针",
        name_en="Wisteria Embroidered Brooch",
        description_zh="手工珠绣紫藤一串，取自多福轩前两百岁的古藤。当前售罄，补货中。",
        description_en=(
            "Hand bead-embroidered wisteria from the two-hundred-year-old vine at the Hall "
            "of Blessing. Sold out; more are being made."
        ),
        tags=("accessories", "gift"),
        variants=(DemoVariant(sku="FG-BRC-01", price="158.00", weight_grams=30),),
        extra_channels=("media-social",),
        stock={"museum-bj": 0, "media-bj": 0},
    ),
    DemoProduct(
        slug="python-robe-miniature-screen",
        collection=COLLECTION,
        relic="python-robe",
        name_zh="蟒袍微缩刺绣台屏·限量版",
        name_en="Python Robe Miniature Embroidered Screen, Limited Edition",
        description_zh="绣娘以金线盘绣复刻蟒袍前襟纹样，红木座屏，限量 100 座，每人限购 1 座。",
        description_en=(
            "Embroiderers couch gold thread to recreate the robe's front panel, set in a "
            "mahogany table screen; 100 pieces, one per customer."
        ),
        tags=("limited", "silk", "home"),
        variants=(DemoVariant(sku="FG-SCR-01", price="2680.00", weight_grams=2500),),
        image_count=2,
        extra_channels=("museum-onsite", "media-live"),
        stock={"museum-bj": 30},
        edition_size=100,
        purchase_limit=1,
    ),
)
