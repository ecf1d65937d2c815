"""Revenue-share agreements: creating them and their versions, and finding the version
in force for the products of an order."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypedDict, cast

from django.db import transaction
from django.db.models import DateField, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from partners.errors import (
    AgreementSharesInvalid,
    AgreementTermsInvalid,
    AgreementVersionDateInvalid,
)
from partners.models import (
    Agreement,
    AgreementParty,
    AgreementVersion,
    FeeBearer,
    Partner,
    PartyRole,
    RefundPolicy,
)
from shop.core.kept_statements import ID_FIELD, KeptStatement, Slot, slots
from shop.core.money import CENT
from shop.core.permissions import signed_in
from shop.orders.models import OrderLine


@dataclass(frozen=True)
class PartyInput:
    partner: Partner
    role: str
    share_bp: int


@transaction.atomic
def agreement_create(
    *,
    code: str,
    name_zh: str,
    name_en: str,
    collection: Any = None,
    product: Any = None,
    valid_until: dt.date | None = None,
) -> Agreement:
    """A new agreement for one collection or one product; its terms come as versions."""
    if (collection is None) == (product is None):
        raise AgreementTermsInvalid(
            _("An agreement covers either a collection or a product."),
            fields={"collection": [_("Give a collection or a product, not both.")]},
        )
    covered = {"collection": collection} if collection is not None else {"product": product}
    if Agreement.objects.filter(**covered).exists():
        raise AgreementTermsInvalid(
            _("It already has an agreement; add a new version to change the terms."),
            fields={next(iter(covered)): [_("Already covered by an agreement.")]},
        )
    return Agreement.objects.create(
        code=code, name_zh=name_zh, name_en=name_en, valid_until=valid_until, **covered
    )


def _parties_validate(parties: Sequence[PartyInput]) -> None:
    problems: list[str] = []
    if not parties:
        problems.append(_("At least one party is needed."))
    seen = set()
    for party in parties:
        if party.role not in PartyRole.values:
            problems.append(_("Unknown role '%(role)s'.") % {"role": party.role})
        if not isinstance(party.share_bp, int) or not 0 < party.share_bp <= 10000:
            problems.append(
                _("The share of %(partner)s must be 1 to 10000 basis points.")
                % {"partner": party.partner.code}
            )
        key = (party.partner.pk, party.role)
        if key in seen:
            problems.append(
                _("%(partner)s is %(role)s twice.")
                % {"partner": party.partner.code, "role": party.role}
            )
        seen.add(key)
    total = sum(p.share_bp for p in parties if isinstance(p.share_bp, int))
    if parties and total != 10000:
        problems.append(_("The shares add up to %(total)s, not 10000.") % {"total": total})
    if problems:
        raise AgreementSharesInvalid(fields={"parties": problems})


def agreement_version_validate(
    *,
    agreement: Agreement,
    valid_from: dt.date,
    parties: Sequence[PartyInput],
    logistics_fee: Decimal = Decimal("0.00"),
    payment_fee_bearer: str = FeeBearer.PARTIES,
    refund_policy: str = RefundPolicy.MIRROR,
    today: dt.date | None = None,
) -> AgreementVersion | None:
    """Refuse terms that cannot become a version; returns the latest version so far."""
    _parties_validate(parties)
    if logistics_fee < 0 or logistics_fee != logistics_fee.quantize(CENT):
        raise AgreementTermsInvalid(
            fields={"logistics_fee": [_("A non-negative amount, exact to the fen.")]}
        )
    if payment_fee_bearer not in FeeBearer.values:
        raise AgreementTermsInvalid(fields={"payment_fee_bearer": [_("Unknown bearer.")]})
    if refund_policy not in RefundPolicy.values:
        raise AgreementTermsInvalid(fields={"refund_policy": [_("Unknown policy.")]})
    today = today or timezone.localdate()
    latest = agreement.versions.order_by("-valid_from").first()
    if latest is not None and (valid_from <= latest.valid_from or valid_from < today):
        raise AgreementVersionDateInvalid(
            fields={
                "valid_from": [
                    _("After %(latest)s and not before %(today)s.")
                    % {"latest": latest.valid_from, "today": today}
                ]
            }
        )
    if agreement.valid_until is not None and valid_from > agreement.valid_until:
        raise AgreementVersionDateInvalid(
            fields={
                "valid_from": [
                    _("Not after the agreement ends (%(date)s).") % {"date": agreement.valid_until}
                ]
            }
        )
    return latest


@transaction.atomic
def agreement_version_create(
    *,
    agreement: Agreement,
    valid_from: dt.date,
    parties: Sequence[PartyInput],
    logistics_fee: Decimal = Decimal("0.00"),
    logistics_partner: Partner | None = None,
    payment_fee_bearer: str = FeeBearer.PARTIES,
    refund_policy: str = RefundPolicy.MIRROR,
    note: str = "",
    user: Any = None,
    today: dt.date | None = None,
) -> AgreementVersion:
    """New terms for an agreement from ``valid_from``, with their parties.

    Versions are never edited. A later version starts after the latest one and not
    before today, so no line already sold changes its terms.
    """
    agreement = Agreement.objects.select_for_update(of=("self",), no_key=True).get(pk=agreement.pk)
    latest = agreement_version_validate(
        agreement=agreement,
        valid_from=valid_from,
        parties=parties,
        logistics_fee=logistics_fee,
        payment_fee_bearer=payment_fee_bearer,
        refund_policy=refund_policy,
        today=today,
    )
    version = AgreementVersion.objects.create(
        agreement=agreement,
        number=(latest.number + 1) if latest else 1,
        valid_from=valid_from,
        logistics_fee=logistics_fee,
        logistics_partner=logistics_partner,
        payment_fee_bearer=payment_fee_bearer,
        refund_policy=refund_policy,
        note=note,
        created_by=signed_in(user),
    )
    # With their history rows, so each party's share is traced from the day it was agreed.
    bulk_create_with_history(
        [
            AgreementParty(version=version, partner=p.partner, role=p.role, share_bp=p.share_bp)
            for p in parties
        ],
        AgreementParty,
        default_user=signed_in(user),
    )
    return version


_DAY_FIELD: DateField[dt.date, dt.date] = DateField()


class _VersionCovering(TypedDict):
    id: int
    agreement__product_id: int | None
    agreement__collection_id: int | None


@functools.lru_cache(maxsize=64)
def _versions_started_statement(products: int, collections: int) -> KeptStatement[_VersionCovering]:
    """The versions started by a day (slot ``on``) of agreements not ended before it, of
    so many products' own agreements and so many collections' (slots ``product_ids``
    and ``collection_ids``), newest first, with their agreement's product and
    collection: read on every placing, so kept compiled once per number of products and
    collections and per connection (shop/core/kept_statements.py). The agreement is one
    row of a foreign key, so the filters join it once."""
    on = Slot("on", _DAY_FIELD)
    # ``product__pk``, not ``product_id``: a foreign key's own ``__in`` prepares each
    # member as an id and refuses a slot; the same column, its join trimmed, takes one.
    covers = Q()
    if products:
        covers |= Q(agreement__product__pk__in=slots("product_ids", ID_FIELD, products))
    if collections:
        covers |= Q(agreement__collection__pk__in=slots("collection_ids", ID_FIELD, collections))
    in_force = Q(agreement__valid_until__isnull=True) | Q(agreement__valid_until__gte=on)
    versions = AgreementVersion.objects.filter(in_force, valid_from__lte=on).filter(covers)
    covering = versions.order_by("-valid_from").values(
        "id", "agreement__product_id", "agreement__collection_id"
    )
    # django-stubs types the ids of the agreement's two nullable foreign keys as int.
    return KeptStatement(cast("QuerySet[AgreementVersion, _VersionCovering]", covering))


def _versions_in_force(
    product_ids: set[int], collection_ids: set[int], on: dt.date
) -> tuple[dict[int, int], dict[int, int]]:
    """The agreement version in force on ``on`` for each product's own agreement and for
    each collection's, by product id and by collection id; one query for all of them."""
    if not product_ids and not collection_ids:
        return {}, {}
    statement = _versions_started_statement(len(product_ids), len(collection_ids))
    values: dict[str, Any] = {"on": on}
    if product_ids:
        values["product_ids"] = sorted(product_ids)
    if collection_ids:
        values["collection_ids"] = sorted(collection_ids)
    by_product: dict[int, int] = {}
    by_collection: dict[int, int] = {}
    for version in statement.rows(**values):
        # Newest first: the first version seen for a product or collection is in force.
        product_id = version["agreement__product_id"]
        collection_id = version["agreement__collection_id"]
        if product_id in product_ids:
            by_product.setdefault(product_id, version["id"])
        if collection_id in collection_ids:
            by_collection.setdefault(collection_id, version["id"])
    return by_product, by_collection


def agreement_versions_in_force(products: Mapping[int, int | None], on: dt.date) -> dict[int, int]:
    """The agreement version in force on ``on`` for each product (``products`` maps a
    product id to its collection id): the product's own agreement's, else its
    collection's; a product under no agreement is missing. One query for all."""
    by_product, by_collection = _versions_in_force(
        set(products), {collection_id for collection_id in products.values() if collection_id}, on
    )
    versions: dict[int, int] = {}
    for product_id, collection_id in products.items():
        version_id = by_product.get(product_id) or (
            by_collection.get(collection_id) if collection_id else None
        )
        if version_id is not None:
            versions[product_id] = version_id
    return versions


@transaction.atomic
def order_lines_agreements_attach(*, order: Any) -> None:
    """Record on each order line the revenue-share agreement version in force now: the
    product's own agreement's, else its collection's."""
    placed = timezone.localdate(order.created_at) if order.created_at else timezone.localdate()
    lines = list(
        OrderLine.objects.filter(order_id=order.pk, agreement_version__isnull=True).values_list(
            "id", "product_id", "product__collection_id"
        )
    )
    if not lines:
        return
    by_product, by_collection = _versions_in_force(
        {product_id for _, product_id, _ in lines},
        {collection_id for _, _, collection_id in lines if collection_id},
        placed,
    )
    by_version: dict[int, list[int]] = {}
    for line_id, product_id, collection_id in lines:
        version_id = by_product.get(product_id) or (
            by_collection.get(collection_id) if collection_id else None
        )
        if version_id is not None:
            by_version.setdefault(version_id, []).append(line_id)
    for version_id, line_ids in by_version.items():
        OrderLine.objects.filter(pk__in=line_ids, agreement_version__isnull=True).update(
            agreement_version_id=version_id
        )
