"""Low-stock alerts: once a day per stock row, to the staff of the partner running the warehouse."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from catalog.models import Stock
from catalog.stock.selectors import stock_low_list
from fulfillment.models import LowStockAlert
from shop.accounts.selectors import partner_alert_recipients

logger = logging.getLogger(__name__)


def _alert_text(stocks: list[Stock]) -> str:
    rows = [
        f"- {stock.variant.sku} {stock.variant.product.name_zh} / {stock.variant.product.name_en}"
        f" @ {stock.warehouse.code}: {getattr(stock, 'available', 0)}"
        f" (<= {stock.low_stock_threshold})"
        for stock in stocks
    ]
    return "库存不足提醒 / Low-stock alert\n\n" + "\n".join(rows) + "\n"


def stock_low_alerts_send(*, today: date | None = None) -> int:
    """Warn each partner's staff about its low stock rows not reported yet today.

    Idempotent per (stock, day): the alert rows are written in the same transaction
    as the e-mail is sent, so a failed send is retried and a repeated run sends nothing.
    Returns how many stock rows were reported.
    """
    today = today or timezone.localdate()
    by_partner: dict[int, list[Stock]] = defaultdict(list)
    already = set(LowStockAlert.objects.filter(day=today).values_list("stock_id", flat=True))
    for stock in stock_low_list():
        if stock.pk not in already:
            by_partner[stock.warehouse.partner_id].append(stock)
    reported = 0
    for partner_id, stocks in by_partner.items():
        partner = stocks[0].warehouse.partner
        recipients = partner_alert_recipients(partner)
        if not recipients:
            logger.warning("partner %s has low stock but nobody to tell", partner_id)
            continue
        with transaction.atomic():
            new = []
            for stock in stocks:
                try:
                    with transaction.atomic():
                        LowStockAlert.objects.create(
                            stock=stock,
                            day=today,
                            quantity_available=getattr(stock, "available", 0),
                            recipients=recipients,
                        )
                except IntegrityError:
                    continue  # reported by a concurrent run
                new.append(stock)
            if not new:
                continue
            send_mail(
                f"库存不足 Low stock: {len(new)}",
                _alert_text(new),
                settings.DEFAULT_FROM_EMAIL,
                recipients,
            )
            reported += len(new)
    return reported
