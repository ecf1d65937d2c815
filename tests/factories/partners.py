"""Partners and the people who work for them."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from partners.models import Partner, PartnerMembership, PartnerRole
from tests.factories.accounts import StaffFactory, UserFactory


class PartnerFactory(DjangoModelFactory):
    class Meta:
        model = Partner
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"partner-{n}")
    name_zh = factory.Sequence(lambda n: f"伙伴{n}")
    name_en = factory.Sequence(lambda n: f"Partner {n}")


class PartnerMembershipFactory(DjangoModelFactory):
    class Meta:
        model = PartnerMembership

    user = factory.SubFactory(UserFactory)
    partner = factory.SubFactory(PartnerFactory)
    role = PartnerRole.VIEWER


class PartnerStaffFactory(DjangoModelFactory):
    """A staff user who manages one partner's warehouses (the membership row)."""

    class Meta:
        model = PartnerMembership

    user = factory.SubFactory(StaffFactory)
    partner = factory.SubFactory(PartnerFactory)
    role = PartnerRole.MANAGER
