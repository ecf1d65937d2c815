"""Demo shipping methods, vouchers and a livestream drop, so the buying flow works at once."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from catalog.models import ProductVariant
from shop.channels.models import LivestreamDrop, SalesChannel
from shop.checkout.models import ShippingMethod, Voucher, VoucherKind
from shop.demo.data.loaders import DemoReport, _upsert

SHIPPING_METHODS = (
    {
        "code": "standard",
        "name_zh": "标准快递",
        "name_en": "Standard express",
        "countries": ["CN"],
        "provinces": [],
        "price": Decimal("12.00"),
        "free_above": Decimal("299.00"),
        "position": 1,
    },
    {
        "code": "next-day",
        "name_zh": "次日达（京津冀）",
        "name_en": "Next day (Beijing, Tianjin, Hebei)",
        "countries": ["CN"],
        "provinces": ["北京市", "天津市", "河北省"],
        "price": Decimal("25.00"),
        "free_above": None,
        "position": 2,
    },
    {
        "code": "international",
        "name_zh": "国际快递",
        "name_en": "International express",
        "countries": ["HK", "MO", "TW", "SG", "JP", "KR", "US", "GB", "FR", "DE", "AU", "CA"],
        "provinces": [],
        "price": Decimal("150.00"),
        "free_above": Decimal("2000.00"),
        "position": 3,
    },
)

VOUCHERS = (
    {
        "code": "WELCOME10",
        "kind": VoucherKind.PERCENTAGE,
        "value": Decimal("10.00"),
        "min_spend": Decimal("100.00"),
        "usage_limit_per_customer": 1,
    },
    {
        "code": "LIVE50",
        "kind": VoucherKind.FIXED,
        "value": Decimal("50.00"),
        "min_spend": Decimal("300.00"),
        "usage_limit": 500,
    },
)

DROP_CODE = "palace-treasures-live"


def demo_selling_load(report: DemoReport) -> None:
    for method in SHIPPING_METHODS:
        values = {k: v for k, v in method.items() if k != "code"}
        _upsert(report, ShippingMethod, {"code": method["code"]}, values)
    for voucher in VOUCHERS:
        values = {k: v for k, v in voucher.items() if k != "code"}
        _upsert(report, Voucher, {"code": voucher["code"]}, values)
    _drop_load(report)


def _drop_load(report: DemoReport) -> None:
    """A livestream drop of the limited editions listed in the livestream channel, open from
    yesterday for a month, so the demo can buy them."""
    channel = SalesChannel.objects.filter(code="media-live").first()
    if channel is None:
        return
    start_day = timezone.localdate() - timedelta(days=1)
    starts_at = timezone.make_aware(datetime.combine(start_day, time()))
    existing = LivestreamDrop.objects.filter(code=DROP_CODE).first()
    if existing is not None and existing.ends_at > timezone.now():
        report.count(LivestreamDrop, "unchanged")
        return
    drop, _ = _upsert(
        report,
        LivestreamDrop,
        {"code": DROP_CODE},
        {
            "channel": channel,
            "name_zh": "恭王府珍藏直播专场",
            "name_en": "Palace treasures livestream",
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(days=30),
        },
    )
    drop.variants.set(
        ProductVariant.objects.filter(
            product__edition_size__isnull=False,
            product__channel_listings__channel=channel,
        )
    )
