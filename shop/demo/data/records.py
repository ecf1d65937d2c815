"""The shapes of the demo data: plain frozen records, so the data files read like a table."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DemoPartner:
    code: str
    name_zh: str
    name_en: str
    legal_name: str
    contact_email: str


@dataclass(frozen=True)
class DemoCollection:
    slug: str
    name_zh: str
    name_en: str
    description_zh: str
    description_en: str
    position: int


@dataclass(frozen=True)
class DemoRelic:
    slug: str
    name_zh: str
    name_en: str
    period_zh: str
    period_en: str
    museum_number: str
    story_zh: str
    story_en: str


@dataclass(frozen=True)
class DemoTag:
    slug: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class DemoVariant:
    sku: str
    price: str  # CNY, a Decimal string
    options: dict[str, str] = field(default_factory=dict)
    name_zh: str = ""
    name_en: str = ""
    weight_grams: int = 200
    # Units received per warehouse code; None means the product's default plan.
    stock: dict[str, int] | None = None
    # Channel code -> the channel's own price, overriding the list price.
    channel_prices: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoPersonalisation:
    label_zh: str
    label_en: str
    max_length: int
    charset: str


@dataclass(frozen=True)
class DemoProduct:
    slug: str
    collection: str
    relic: str | None
    name_zh: str
    name_en: str
    description_zh: str
    description_en: str
    tags: tuple[str, ...]
    variants: tuple[DemoVariant, ...]
    image_count: int = 1
    # Every product is listed in the museum web shop and the newspaper's website;
    # these are the further channels it is sold in.
    extra_channels: tuple[str, ...] = ()
    stock: dict[str, int] = field(default_factory=lambda: {"museum-bj": 60, "media-bj": 40})
    edition_size: int | None = None
    purchase_limit: int | None = None
    personalisation: DemoPersonalisation | None = None


@dataclass(frozen=True)
class DemoChannel:
    code: str
    name_zh: str
    name_en: str
    kind: str
    owner: str
    commission_rate: str
    is_public: bool = False


@dataclass(frozen=True)
class DemoWarehouse:
    code: str
    name_zh: str
    name_en: str
    partner: str
    province: str
    city: str
    district: str
    street: str
    postcode: str
    phone: str
    email: str


@dataclass(frozen=True)
class DemoUser:
    email: str
    password: str
    first_name: str
    last_name: str
    is_staff: bool = False
    is_superuser: bool = False
    partner: str | None = None
    role: str | None = None  # a PartnerRole value when the user acts for a partner
    groups: tuple[str, ...] = ()
