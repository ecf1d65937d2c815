"""Small pieces every domain's models share."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from shop.core.money import CURRENCY


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(
        auto_now_add=True, db_index=True, verbose_name=_("created at")
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        abstract = True


def money_field(**kwargs) -> models.DecimalField:
    """A CNY amount in yuan with two decimal places."""
    kwargs.setdefault("max_digits", 12)
    kwargs.setdefault("decimal_places", 2)
    return models.DecimalField(**kwargs)


def currency_field() -> models.CharField:
    return models.CharField(
        max_length=3, default=CURRENCY, editable=False, verbose_name=_("currency")
    )
