"""The amount columns the settlements and the report rows share."""

from __future__ import annotations

from decimal import Decimal

from django.db import models


def amount_field(**kwargs) -> models.DecimalField:
    return models.DecimalField(max_digits=14, decimal_places=2, default=0, **kwargs)


def net_adds_up() -> models.Q:
    """net = gross + commissions + refunds + fees. Within a tenth of a fen, because SQLite
    (the embedded first run) compares decimals as floats; on PostgreSQL it is exact."""
    parts = (
        models.F("gross")
        + models.F("commissions")
        + models.F("refunds")
        + models.F("logistics_fees")
        + models.F("payment_fees")
    )
    slack = models.Value(Decimal("0.001"))
    return models.Q(net__gte=parts - slack) & models.Q(net__lte=parts + slack)
