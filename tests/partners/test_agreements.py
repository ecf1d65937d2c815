"""Agreements and their versions: which terms a line is sold under, and terms refused."""

from __future__ import annotations

import datetime as dt

import pytest

from partners.agreements import (
    PartyInput,
    agreement_version_create,
    agreement_versions_in_force,
)
from partners.errors import (
    AgreementSharesInvalid,
    AgreementTermsInvalid,
    AgreementVersionDateInvalid,
)
from partners.models import Agreement, AgreementVersion
from shop.orders.models import OrderLine
from tests import factories
from tests.factories.ledger import (
    SHANGHAI,
    agreement_with_terms,
    paid_order,
    variant,
)

pytestmark = pytest.mark.django_db


def test_product_agreement_wins_over_its_collection(
    blossoms_agreement, blossoms, media_web, museum
):
    item = variant(blossoms)
    _, own = agreement_with_terms(product=item.product, parties=[(museum, "producer", 10000)])

    order, _ = paid_order(channel=media_web, items=[(item, 1)])

    assert OrderLine.objects.get(order=order).agreement_version == own


def test_line_keeps_the_version_in_force_when_sold(
    blossoms_agreement, blossoms, media_web, museum, media
):
    agreement, first = blossoms_agreement
    item = variant(blossoms)
    before, _ = paid_order(
        channel=media_web, items=[(item, 1)], paid_at=dt.datetime(2025, 3, 1, tzinfo=SHANGHAI)
    )

    second = agreement_version_create(
        agreement=agreement,
        valid_from=dt.date(2025, 4, 1),
        parties=[PartyInput(museum, "licensor", 5000), PartyInput(media, "designer", 5000)],
        today=dt.date(2025, 3, 2),
    )
    after, _ = paid_order(
        channel=media_web, items=[(item, 1)], paid_at=dt.datetime(2025, 4, 2, tzinfo=SHANGHAI)
    )

    assert OrderLine.objects.get(order=before).agreement_version == first
    assert OrderLine.objects.get(order=after).agreement_version == second
    assert second.number == 2


@pytest.mark.parametrize(
    "shares",
    [[6000, 3000], [6000, 5000], [10000, 0]],
)
def test_version_with_shares_not_adding_up_is_refused(blossoms_agreement, museum, media, shares):
    agreement, _ = blossoms_agreement
    with pytest.raises(AgreementSharesInvalid):
        agreement_version_create(
            agreement=agreement,
            valid_from=dt.date(2099, 1, 1),
            parties=[
                PartyInput(museum, "licensor", shares[0]),
                PartyInput(media, "designer", shares[1]),
            ],
        )
    assert AgreementVersion.objects.filter(agreement=agreement).count() == 1


def test_version_cannot_start_in_the_past_or_before_the_latest(blossoms_agreement, museum):
    agreement, _ = blossoms_agreement
    with pytest.raises(AgreementVersionDateInvalid):
        agreement_version_create(
            agreement=agreement,
            valid_from=dt.date(2021, 1, 1),
            parties=[PartyInput(museum, "licensor", 10000)],
        )
    assert AgreementVersion.objects.filter(agreement=agreement).count() == 1


def test_second_agreement_for_the_same_collection_is_refused(blossoms_agreement, blossoms, museum):
    with pytest.raises(AgreementTermsInvalid):
        agreement_with_terms(collection=blossoms, parties=[(museum, "licensor", 10000)])


def test_the_version_in_force_for_products_of_any_number_and_kind(
    blossoms_agreement, blossoms, museum, media
):
    _, blossoms_version = blossoms_agreement
    own = variant(blossoms).product
    own_agreement, own_first = agreement_with_terms(
        product=own, parties=[(museum, "producer", 10000)]
    )
    own_second = agreement_version_create(
        agreement=own_agreement,
        valid_from=dt.date(2025, 6, 1),
        parties=[PartyInput(media, "producer", 10000)],
        today=dt.date(2025, 1, 1),
    )
    ended = factories.CollectionFactory(slug="ended")
    ended_agreement, ended_version = agreement_with_terms(
        collection=ended, parties=[(media, "licensor", 10000)]
    )
    Agreement.objects.filter(pk=ended_agreement.pk).update(valid_until=dt.date(2025, 3, 31))
    in_blossoms, in_ended = variant(blossoms).product, variant(ended).product
    bare = factories.ProductFactory(collection=None)
    products = {
        own.pk: blossoms.pk,
        in_blossoms.pk: blossoms.pk,
        in_ended.pk: ended.pk,
        bare.pk: None,
    }

    # The last day of an agreement counts, as does the first of a version.
    assert agreement_versions_in_force(products, dt.date(2025, 3, 31)) == {
        own.pk: own_first.pk,
        in_blossoms.pk: blossoms_version.pk,
        in_ended.pk: ended_version.pk,
    }
    assert agreement_versions_in_force(products, dt.date(2025, 6, 1)) == {
        own.pk: own_second.pk,
        in_blossoms.pk: blossoms_version.pk,
    }
    assert agreement_versions_in_force({own.pk: None}, dt.date(2025, 5, 31)) == {
        own.pk: own_first.pk
    }
    assert agreement_versions_in_force({in_blossoms.pk: blossoms.pk}, dt.date(2019, 12, 31)) == {}
    assert agreement_versions_in_force({bare.pk: None}, dt.date(2025, 6, 1)) == {}
    assert agreement_versions_in_force({}, dt.date(2025, 6, 1)) == {}
