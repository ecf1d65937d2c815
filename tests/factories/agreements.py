"""Agreements between partners over a collection, with their terms and parties."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from tests.factories.catalog import CollectionFactory
from tests.factories.partners import PartnerFactory


class AgreementFactory(DjangoModelFactory):
    """An agreement for a collection; give it terms with :class:`AgreementVersionFactory`."""

    class Meta:
        model = "partners.Agreement"

    code = factory.Sequence(lambda n: f"agreement-{n}")
    name_zh = factory.Sequence(lambda n: f"合作协议{n}")
    name_en = factory.Sequence(lambda n: f"Agreement {n}")
    collection = factory.SubFactory(CollectionFactory)


class AgreementVersionFactory(DjangoModelFactory):
    class Meta:
        model = "partners.AgreementVersion"

    agreement = factory.SubFactory(AgreementFactory)
    number = factory.Sequence(lambda n: n + 1)
    valid_from = date(2020, 1, 1)
    logistics_fee = Decimal("0.00")


class AgreementPartyFactory(DjangoModelFactory):
    class Meta:
        model = "partners.AgreementParty"

    version = factory.SubFactory(AgreementVersionFactory)
    partner = factory.SubFactory(PartnerFactory)
    role = "licensor"
    share_bp = 10000
