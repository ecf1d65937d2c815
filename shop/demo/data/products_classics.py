"""Demo products of "Echoes of Classics" (经典回响): opera, architecture and tea."""

# Chinese texts use full-width punctuation on purpose.

from __future__ import annotations

from shop.demo.data.records import DemoProduct, DemoVariant

COLLECTION = "echoes-of-classics"

PRODUCTS = (
    DemoProduct(
        slug="opera-mask-magnets",
        collection=COLLECTION,
        relic="grand-opera-house",
        name_zh="戏楼脸谱冰箱贴",
        name_en="Opera Mask Fridge Magnets",
        description_zh="生旦净丑三枚一套，滴胶工艺，色彩取自大戏楼彩绘。",
        description_en=(
            "Three resin magnets of opera roles, coloured after the Grand Opera House's "
            "painted hall."
        ),
        tags=("gift", "home"),
        variants=(DemoVariant(sku="EC-MAG-01", price="45.00", weight_grams=90),),
        extra_channels=("museum-onsite", "media-app", "media-social", "media-live"),
        stock={"museum-bj": 200, "media-bj": 150},
    ),
    DemoProduct(
        slug="opera-house-tea-set",
        collection=COLLECTION,
        relic="grand-opera-house",
        name_zh="大戏楼藤萝茶具套装",
        name_en="Grand Opera House Wisteria Tea Set",
        description_zh="一壶四杯，手绘藤萝花纹，重现戏楼厅内的紫藤花架。",
        description_en=(
            "A teapot and four cups hand-painted with wisteria, recalling the trellises "
            "painted inside the opera hall."
        ),
        tags=("tea", "home", "gift"),
        variants=(DemoVariant(sku="EC-TEA-01", price="688.00", weight_grams=2200),),
        image_count=2,
        extra_channels=("museum-onsite",),
        stock={"museum-bj": 18, "media-bj": 2},
    ),
    DemoProduct(
        slug="palace-jasmine-tea",
        collection=COLLECTION,
        relic="hall-of-blessing",
        name_zh="王府茉莉花茶",
        name_en="Palace Jasmine Tea",
        description_zh="福州茉莉窨制七次，多福轩待客之茶，铁罐密封装。",
        description_en=(
            "Fuzhou jasmine tea scented seven times, the tea served to guests in the Hall "
            "of Blessing, in a sealed tin."
        ),
        tags=("tea", "gift"),
        variants=(
            DemoVariant(
                sku="EC-JAS-01-100",
                price="88.00",
                options={"weight": "100g"},
                name_zh="100 克",
                name_en="100 g",
                weight_grams=180,
                channel_prices={"media-app": "79.00"},
            ),
            DemoVariant(
                sku="EC-JAS-01-250",
                price="188.00",
                options={"weight": "250g"},
                name_zh="250 克",
                name_en="250 g",
                weight_grams=380,
            ),
        ),
        extra_channels=("media-app", "media-live"),
        stock={"media-bj": 120},
    ),
    DemoProduct(
        slug="crabapple-flower-tea",
        collection=COLLECTION,
        relic="ancient-crabapple-trees",
        name_zh="海棠花茶",
        name_en="Crabapple Blossom Tea",
        description_zh="海棠花瓣与白茶拼配，清甜微酸，盛放于海棠诗会的春日。",
        description_en=(
            "Crabapple petals blended with white tea, sweet and faintly tart, like a spring "
            "day at the crabapple poetry gathering."
        ),
        tags=("tea",),
        variants=(DemoVariant(sku="EC-CFT-01", price="68.00", weight_grams=150),),
        extra_channels=("media-app", "media-social"),
        stock={"media-bj": 90},
    ),
    DemoProduct(
        slug="xiyang-gate-model",
        collection=COLLECTION,
        relic="xiyang-gate",
        name_zh="西洋门木质拼装模型",
        name_en="Xiyang Gate Wooden Model Kit",
        description_zh="激光切割椴木拼装模型，一比一百复原拱门雕饰，无需胶水。",
        description_en=(
            "A laser-cut basswood kit restoring the gate's carving at 1:100, assembled "
            "without glue."
        ),
        tags=("gift", "home"),
        variants=(DemoVariant(sku="EC-XYG-01", price="238.00", weight_grams=700),),
        extra_channels=("museum-onsite",),
    ),
    DemoProduct(
        slug="xiyang-gate-night-light",
        collection=COLLECTION,
        relic="xiyang-gate",
        name_zh="西洋门小夜灯",
        name_en="Xiyang Gate Night Light",
        description_zh="亚克力叠层灯，暖光映出汉白玉拱门的轮廓，USB 供电。",
        description_en=(
            "Layered acrylic lamp whose warm light draws the marble arch; USB powered."
        ),
        tags=("home",),
        variants=(
            DemoVariant(
                sku="EC-XYL-01-WRM",
                price="199.00",
                options={"colour": "warm white"},
                name_zh="暖白光",
                name_en="Warm white",
            ),
            DemoVariant(
                sku="EC-XYL-01-GLD",
                price="219.00",
                options={"colour": "gold"},
                name_zh="金色光",
                name_en="Gold",
            ),
        ),
        extra_channels=("media-app", "media-social"),
    ),
    DemoProduct(
        slug="lotus-scroll-mug",
        collection=COLLECTION,
        relic="blue-white-lotus-vase",
        name_zh="青花缠枝莲马克杯",
        name_en="Blue-and-White Lotus Scroll Mug",
        description_zh="景德镇白瓷，釉下青花缠枝莲纹，可用于洗碗机。",
        description_en=(
            "Jingdezhen porcelain with underglaze blue lotus scrolls; dishwasher safe."
        ),
        tags=("home", "tea"),
        variants=(
            DemoVariant(
                sku="EC-MUG-01-350",
                price="88.00",
                options={"capacity": "350ml"},
                name_zh="350 毫升",
                name_en="350 ml",
                weight_grams=380,
            ),
            DemoVariant(
                sku="EC-MUG-01-500",
                price="108.00",
                options={"capacity": "500ml"},
                name_zh="500 毫升",
                name_en="500 ml",
                weight_grams=460,
            ),
        ),
        extra_channels=("museum-onsite", "media-app"),
    ),
    DemoProduct(
        slug="opera-house-music-box",
        collection=COLLECTION,
        relic="grand-opera-house",
        name_zh="大戏楼八音盒·限量版",
        name_en="Grand Opera House Music Box, Limited Edition",
        description_zh="打开戏台帷幕，转出一段京剧《贵妃醉酒》的旋律。限量 200 件，每人限购 1 件。",
        description_en=(
            "Open the stage curtain to hear a melody from the Peking opera The Drunken "
            "Concubine. 200 pieces, one per customer."
        ),
        tags=("limited", "gift"),
        variants=(DemoVariant(sku="EC-MBX-01", price="899.00", weight_grams=1100),),
        image_count=2,
        extra_channels=("media-live", "media-social"),
        stock={"museum-bj": 50, "media-bj": 50},
        edition_size=200,
        purchase_limit=1,
    ),
    DemoProduct(
        slug="rockery-incense-holder",
        collection=COLLECTION,
        relic=None,
        name_zh="滴翠岩陶瓷香插",
        name_en="Emerald Rockery Ceramic Incense Holder",
        description_zh="取形于花园假山滴翠岩，青釉开片，线香与盘香皆可使用。",
        description_en=(
            "Shaped after the garden's Emerald Rockery in crackled celadon, for stick or "
            "coil incense."
        ),
        tags=("home",),
        variants=(DemoVariant(sku="EC-INC-01", price="138.00", weight_grams=320),),
        extra_channels=("museum-onsite",),
        stock={"museum-bj": 35},
    ),
    DemoProduct(
        slug="opera-house-picture-book",
        collection=COLLECTION,
        relic="grand-opera-house",
        name_zh="《王府大戏楼》绘本",
        name_en="The Palace Opera House: A Picture Book",
        description_zh="中英双语绘本，跟随小戏迷走进后台，认识行当、脸谱与戏楼里的声学秘密。",
        description_en=(
            "A bilingual picture book following a young opera fan backstage to meet the "
            "roles, the masks and the acoustic secrets of the theatre."
        ),
        tags=("books", "gift"),
        variants=(DemoVariant(sku="EC-BOK-01", price="59.00", weight_grams=400),),
        extra_channels=("media-app", "media-social", "media-live"),
        stock={"media-bj": 260},
    ),
)
