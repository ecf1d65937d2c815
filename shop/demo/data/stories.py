"""Demo partners, product lines, relics and tags: the palace, its stories and who sells them."""

# Chinese texts use full-width punctuation on purpose.

from __future__ import annotations

from shop.demo.data.records import DemoCollection, DemoPartner, DemoRelic, DemoTag

PARTNERS = (
    DemoPartner(
        code="museum",
        name_zh="恭王府博物馆",
        name_en="Prince Kung's Palace Museum",
        legal_name="恭王府博物馆（演示）",
        contact_email="shop@museum.example.com",
    ),
    DemoPartner(
        code="media",
        name_zh="新京报",
        name_en="Beijing News",
        legal_name="新京报社（演示）",
        contact_email="culture@media.example.com",
    ),
)

COLLECTIONS = (
    DemoCollection(
        slug="blossoms-of-wisdom",
        name_zh="智慧之花",
        name_en="Blossoms of Wisdom",
        description_zh="取材于王府书斋与福字碑的文房雅物，把读书人的智慧与祝福带到今天的书桌上。",
        description_en=(
            "Study treasures drawn from the prince's library and the Fu character stele, "
            "bringing a scholar's wisdom and blessings to today's desk."
        ),
        position=1,
    ),
    DemoCollection(
        slug="echoes-of-classics",
        name_zh="经典回响",
        name_en="Echoes of Classics",
        description_zh="大戏楼的锣鼓、西洋门的拱券、一盏王府好茶——让经典建筑与戏曲在生活中回响。",
        description_en=(
            "The drums of the Grand Opera House, the arches of the Xiyang gate and a cup of "
            "palace tea: classic architecture and opera echoing through everyday life."
        ),
        position=2,
    ),
    DemoCollection(
        slug="fabrics-of-glory",
        name_zh="锦绣华章",
        name_en="Fabrics of Glory",
        description_zh="以府藏刺绣、缂丝与宫廷服饰为灵感的丝绸织品，一针一线皆是华章。",
        description_en=(
            "Silks inspired by the palace's embroideries, kesi tapestries and court dress; "
            "every stitch a verse of glory."
        ),
        position=3,
    ),
)

RELICS = (
    DemoRelic(
        slug="fu-character-stele",
        name_zh="福字碑",
        name_en="The Fu Character Stele",
        period_zh="清 康熙年间",
        period_en="Qing dynasty, Kangxi reign",
        museum_number="GWF-0001",
        story_zh=(
            "相传康熙皇帝为祖母孝庄太皇太后祈福，一气呵成写下这个“福”字。字中暗含“子、才、"
            "多、田、寿”，寓意多子、多才、多田、多寿、多福。石碑藏于秘云洞中，被誉为“天下第一福”。"
        ),
        story_en=(
            "The Kangxi Emperor is said to have written this single character in one stroke "
            "to pray for his grandmother's health. Hidden in its shape are the characters for "
            "sons, talent, fields and long life. Kept in the Secret Cloud Cave, it is known as "
            "the first Fu under heaven."
        ),
    ),
    DemoRelic(
        slug="grand-opera-house",
        name_zh="大戏楼",
        name_en="The Grand Opera House",
        period_zh="清 同治年间",
        period_en="Qing dynasty, Tongzhi reign",
        museum_number="GWF-0102",
        story_zh=(
            "全封闭式木结构戏楼，厅内满绘藤萝花架，观戏时宛如置身紫藤花下。不借助任何扩音设备，"
            "台上的唱腔便能清晰传至每个角落，至今仍有演出。"
        ),
        story_en=(
            "A fully enclosed timber theatre whose hall is painted with wisteria trellises, "
            "so the audience seems to sit beneath the blossoms. Without any amplification a "
            "singer's voice reaches every corner, and performances are still staged today."
        ),
    ),
    DemoRelic(
        slug="xiyang-gate",
        name_zh="西洋门",
        name_en="The Xiyang Gate",
        period_zh="清 同治年间",
        period_en="Qing dynasty, Tongzhi reign",
        museum_number="GWF-0117",
        story_zh=(
            "汉白玉石拱门，仿照圆明园西洋楼的样式建造，是花园的正门。中西合璧的雕饰，"
            "记录了晚清王府对外部世界的好奇。"
        ),
        story_en=(
            "A white marble arched gate modelled on the European palaces of the Old Summer "
            "Palace, the main entrance to the garden. Its blend of Chinese and Western carving "
            "records a late-Qing prince's curiosity about the wider world."
        ),
    ),
    DemoRelic(
        slug="hall-of-blessing",
        name_zh="多福轩",
        name_en="The Hall of Blessing",
        period_zh="清 乾隆年间",
        period_en="Qing dynasty, Qianlong reign",
        museum_number="GWF-0125",
        story_zh=(
            "王府会客之所，梁枋间绘有上千只蝙蝠，取“蝠”与“福”同音。轩前一架古藤萝已有两百余年，"
            "春日花开如紫色瀑布。"
        ),
        story_en=(
            "The prince's reception hall, its beams painted with over a thousand bats, since "
            "bat and blessing sound alike in Chinese. An ancient wisteria more than two "
            "centuries old pours purple blossom over its terrace each spring."
        ),
    ),
    DemoRelic(
        slug="ancient-crabapple-trees",
        name_zh="西府海棠古树",
        name_en="The Ancient Crabapple Trees",
        period_zh="清 中期",
        period_en="Mid-Qing dynasty",
        museum_number="GWF-0140",
        story_zh=(
            "锡晋斋前的几株西府海棠，每年四月繁花满枝。王府主人常在花下设宴赋诗，"
            "海棠诗会的传统一直延续到今天。"
        ),
        story_en=(
            "Each April the crabapple trees before the Xijin Studio burst into bloom. The "
            "prince held banquets and poetry gatherings beneath them, a tradition of crabapple "
            "poetry that the museum keeps alive today."
        ),
    ),
    DemoRelic(
        slug="hundred-butterflies-embroidery",
        name_zh="百蝶刺绣挂屏",
        name_en="The Hundred Butterflies Embroidered Screen",
        period_zh="清 光绪年间",
        period_en="Qing dynasty, Guangxu reign",
        museum_number="GWF-0233",
        story_zh=(
            "苏绣挂屏，以百余只形态各异的蝴蝶穿梭于牡丹之间，针脚细如发丝。"
            "据说由府中绣娘历时三年完成，作为福晋的寿礼。"
        ),
        story_en=(
            "A Suzhou embroidered screen where more than a hundred butterflies weave between "
            "peonies in stitches as fine as hair. Palace embroiderers are said to have spent "
            "three years on it as a birthday gift for the princess consort."
        ),
    ),
    DemoRelic(
        slug="python-robe",
        name_zh="亲王蟒袍",
        name_en="The Prince's Python Robe",
        period_zh="清 道光年间",
        period_en="Qing dynasty, Daoguang reign",
        museum_number="GWF-0251",
        story_zh=(
            "石青色缎地，用金线与彩丝绣出四爪蟒纹与海水江崖纹，是亲王出席典礼时的吉服。"
            "纹样的等级规制，讲述着清代森严的礼制。"
        ),
        story_en=(
            "Dark blue satin embroidered in gold and coloured silk with four-clawed pythons "
            "above waves and cliffs, worn by a prince at ceremonies. Its patterns encode the "
            "strict ranks of the Qing court."
        ),
    ),
    DemoRelic(
        slug="bat-pond",
        name_zh="蝠池",
        name_en="The Bat Pond",
        period_zh="清 乾隆年间",
        period_en="Qing dynasty, Qianlong reign",
        museum_number="GWF-0160",
        story_zh=(
            "花园中一方形似展翅蝙蝠的水池，池边种满榆树。每到春末榆钱飘落池中，"
            "寓意“福中有钱”，是王府花园里最富巧思的一景。"
        ),
        story_en=(
            "A garden pond shaped like a bat with outstretched wings, ringed by elm trees. When "
            "elm seeds, called money seeds, drift onto the water in late spring, the pond "
            "holds wealth within blessing, the garden's wittiest conceit."
        ),
    ),
    DemoRelic(
        slug="study-jade-seal",
        name_zh="书斋青玉印",
        name_en="The Study's Green Jade Seal",
        period_zh="清 咸丰年间",
        period_en="Qing dynasty, Xianfeng reign",
        museum_number="GWF-0310",
        story_zh=(
            "王府主人书斋中的闲章，青玉质地，钮雕瑞兽。书画落款时钤于卷首，"
            "一方小印见证了主人的雅好与心境。"
        ),
        story_en=(
            "A leisure seal from the prince's study, carved from green jade with an auspicious "
            "beast on top. Pressed at the head of paintings and calligraphy, it bore witness "
            "to its owner's tastes and moods."
        ),
    ),
    DemoRelic(
        slug="blue-white-lotus-vase",
        name_zh="青花缠枝莲纹瓶",
        name_en="The Blue-and-White Lotus Scroll Vase",
        period_zh="清 雍正年间",
        period_en="Qing dynasty, Yongzheng reign",
        museum_number="GWF-0402",
        story_zh=(
            "景德镇御窑烧造，青花发色浓艳，缠枝莲纹连绵不断，象征清廉与绵延。"
            "曾陈设于王府正厅的案头。"
        ),
        story_en=(
            "Fired at the imperial kilns of Jingdezhen in a rich cobalt blue, its endless "
            "lotus scrolls stand for integrity and continuity. It once stood on a table in "
            "the palace's main hall."
        ),
    ),
)

TAGS = (
    DemoTag(slug="stationery", name_zh="文具", name_en="Stationery"),
    DemoTag(slug="silk", name_zh="丝绸", name_en="Silk"),
    DemoTag(slug="tea", name_zh="茶", name_en="Tea"),
    DemoTag(slug="home", name_zh="家居", name_en="Home"),
    DemoTag(slug="gift", name_zh="礼品", name_en="Gift"),
    DemoTag(slug="limited", name_zh="限量", name_en="Limited edition"),
    DemoTag(slug="books", name_zh="图书", name_en="Books"),
    DemoTag(slug="accessories", name_zh="配饰", name_en="Accessories"),
)

# Search synonyms (catalog.search): the word shoppers type -> the word in the catalog's names.
SEARCH_SYNONYMS = (
    ("扇子", "扇"),
    ("丝巾", "围巾"),
    ("丝巾", "方巾"),
    ("围巾", "方巾"),
    ("杯子", "杯"),
    ("靠枕", "抱枕"),
    ("冰箱磁贴", "冰箱贴"),
    ("毛笔", "文房四宝"),
)
