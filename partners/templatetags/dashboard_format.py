"""Number formats of the dashboard: thousands separated by commas in both languages
(the way amounts are written in Chinese business documents too), "—" for no figure."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

register = template.Library()

NONE = "—"


@register.filter
def amount(value: Any) -> str:
    """Money with two decimals: 1234567.5 -> 1,234,567.50."""
    if value is None or value == "":
        return NONE
    return f"{Decimal(value):,.2f}"


@register.filter
def count(value: Any) -> str:
    """A whole number: 12345 -> 12,345."""
    if value is None or value == "":
        return NONE
    return f"{int(value):,}"


@register.filter
def percent(value: Any) -> str:
    """A rate already in percent: 12.5 -> 12.5%."""
    if value is None or value == "":
        return NONE
    return f"{Decimal(value):,.1f}%"
