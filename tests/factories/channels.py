"""Sales channels, each owned by a partner."""

from __future__ import annotations

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from shop.channels.models import ChannelKind, SalesChannel
from tests.factories.partners import PartnerFactory


class SalesChannelFactory(DjangoModelFactory):
    class Meta:
        model = SalesChannel

    code = factory.Sequence(lambda n: f"channel-{n}")
    name_zh = factory.Sequence(lambda n: f"渠道{n}")
    name_en = factory.Sequence(lambda n: f"Channel {n}")
    kind = ChannelKind.WEB_SHOP
    owner = factory.SubFactory(PartnerFactory)
    commission_rate = Decimal("0.1000")
    is_public = True
