"""Partner money: agreements, and the hooks that write the split ledger.

The selling code calls the hooks inside its own transactions, so a money event
and its ledger entries are written together or not at all. Each hook is
idempotent: an event already in the ledger is not written again. The ledger is
append-only; nothing here updates or deletes an entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners import ledger
from partners.errors import (
    AgreementSharesInvalid,
    AgreementTermsInvalid,
    AgreementVersionDateInvalid,
)
from partners.ledger_write import EventContext, daily_sales_add, entries_write
from partners.models import (
    Agreement,
    AgreementParty,
    AgreementVersion,
    FeeBearer,
    LedgerEntry,
    Partner,
    PartyRole,
    RefundPolicy,
)
from partners.selectors import order_lines_terms
from shop.core import sql
from shop.core.money import CENT, MoneySum, to_fen
from shop.core.permissions import signed_in
from shop.orders.models import Order, OrderLine
from shop.payments.models import Payment

# --- Agreements ---------------------------------------------------------------------------


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
    AgreementParty.objects.bulk_create(
        AgreementParty(version=version, partner=p.partner, role=p.role, share_bp=p.share_bp)
        for p in parties
    )
    return version


# --- Hooks called by the selling code inside its transactions ------------------------------


_VERSIONS_IN_FORCE = (
    f"SELECT v.id, a.product_id, a.collection_id FROM {sql.table(AgreementVersion)} v"  # noqa: S608
    f" JOIN {sql.table(Agreement)} a ON a.id = v.agreement_id"
    " WHERE v.valid_from <= %s AND (a.valid_until IS NULL OR a.valid_until >= %s)"
)


def _versions_in_force(
    product_ids: set[int], collection_ids: set[int], on: dt.date
) -> tuple[dict[int, int], dict[int, int]]:
    """The agreement version in force on ``on`` for each product's own agreement and for
    each collection's, by product id and by collection id; one query for all of them."""
    covers = []
    params: list[Any] = [on, on]
    for column, ids in (("a.product_id", product_ids), ("a.collection_id", collection_ids)):
        if ids:
            covers.append(f"{column} IN ({', '.join(['%s'] * len(ids))})")
            params += sorted(ids)
    if not covers:
        return {}, {}
    candidates = sql.rows(
        f"{_VERSIONS_IN_FORCE} AND ({' OR '.join(covers)}) ORDER BY v.valid_from DESC", params
    )
    by_product: dict[int, int] = {}
    by_collection: dict[int, int] = {}
    for version_id, product_id, collection_id in candidates:
        # Newest first: the first version seen for a product or collection is in force.
        if product_id in product_ids:
            by_product.setdefault(product_id, version_id)
        if collection_id in collection_ids:
            by_collection.setdefault(collection_id, version_id)
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


_RECORDED = f"SELECT 1 FROM {sql.table(LedgerEntry)} WHERE source = %s LIMIT 1"  # noqa: S608


def _recorded(source: str) -> bool:
    return sql.row(_RECORDED, [source]) is not None


# No savepoint: a payment whose entries cannot be written is not recorded as paid either.
@transaction.atomic(savepoint=False)
def ledger_payment_record(*, payment: Any, first: bool = False) -> None:
    """Write the ledger entries of a captured payment (and its fee). ``first``: the
    caller has just marked the payment's order paid, for the first time and under its
    lock, so none of the payment's entries can be in the ledger yet (and need not be
    looked for)."""
    # Only what never changes once an order is placed is read from it (its id, channel,
    # discount and placing time): the order the payment already holds will do.
    order = payment.order if Payment.order.is_cached(payment) else None
    if order is None or order.pk != payment.order_id:
        order = Order.objects.get(pk=payment.order_id)
    occurred_at = payment.succeeded_at or timezone.now()
    source = f"payment:{payment.pk}"
    terms = None
    if first or not _recorded(source):
        terms = order_lines_terms(order)
        if any(facts.agreement_version_id is None for facts in terms.facts.values()):
            # Orders placed before their lines recorded their terms.
            order_lines_agreements_attach(order=order)
            terms = order_lines_terms(order)
        parts = ledger.sale_plan(terms.lines, to_fen(order.discount), to_fen(payment.amount))
        context = EventContext(source, order.pk, order.channel_id, occurred_at, terms.facts)
        entries_write(context, parts)
        daily_sales_add(
            context,
            parts,
            concerned=terms.concerned,
            units={line_id: facts.quantity for line_id, facts in terms.facts.items()},
        )
    fee_source = f"payment-fee:{payment.pk}"
    if payment.fee and (first or not _recorded(fee_source)):
        # The lines' terms do not change between the sale and its fee.
        terms = terms or order_lines_terms(order)
        parts = ledger.payment_fee_plan(terms.lines, to_fen(order.discount), to_fen(payment.fee))
        context = EventContext(fee_source, order.pk, order.channel_id, occurred_at, terms.facts)
        entries_write(context, parts)
        daily_sales_add(context, parts, concerned={}, mode="fee")


def _sale_buckets(order_id: int) -> list[ledger.Bucket]:
    """What is left of each part of the order's sale, after the refunds so far."""
    remaining: dict[tuple, int] = {}
    rows = (
        LedgerEntry.objects.filter(
            order_id=order_id, kind__in=(*ledger.REVERSIBLE_KINDS, ledger.REFUND_REVERSAL)
        )
        .values("partner_id", "kind", "reversed_kind", "role", "order_line_id", "share_bp")
        .annotate(total=MoneySum("amount"))
        .order_by("order_line_id", "partner_id", "role", "kind", "reversed_kind")
    )
    for row in rows:
        kind = row["reversed_kind"] or row["kind"]
        key = (row["order_line_id"], row["partner_id"], kind, row["role"], row["share_bp"])
        remaining[key] = remaining.get(key, 0) + to_fen(row["total"])
    return [
        ledger.Bucket(partner_id, kind, role, line_id, fen, share_bp)
        for (line_id, partner_id, kind, role, share_bp), fen in sorted(
            remaining.items(), key=lambda item: (item[0][0], item[0][1], item[0][2], item[0][3])
        )
    ]


def _refund_units(refund: Any, terms: Any, buckets_after: int) -> dict[int, int]:
    """Units a refund gives back: its lines, or every unit not yet refunded when it
    empties the order without naming lines."""
    named = {
        int(item["line_id"]): int(item.get("quantity") or 0)
        for item in (refund.lines or [])
        if isinstance(item, dict) and "line_id" in item
    }
    if named:
        return {line_id: qty for line_id, qty in named.items() if line_id in terms.facts}
    if buckets_after > 0:
        return {}
    already: dict[int, int] = {}
    for other in refund.__class__.objects.filter(
        order_id=refund.order_id, status="succeeded"
    ).exclude(pk=refund.pk):
        for item in other.lines or []:
            if isinstance(item, dict) and "line_id" in item:
                line_id = int(item["line_id"])
                already[line_id] = already.get(line_id, 0) + int(item.get("quantity") or 0)
    return {
        line_id: max(facts.quantity - already.get(line_id, 0), 0)
        for line_id, facts in terms.facts.items()
    }


@transaction.atomic
def ledger_refund_record(*, refund: Any) -> None:
    """Write the reversing ledger entries of a succeeded refund."""
    source = f"refund:{refund.pk}"
    if _recorded(source):
        return
    order = Order.objects.get(pk=refund.order_id)
    if not LedgerEntry.objects.filter(order_id=order.pk, kind__in=ledger.REVERSIBLE_KINDS).exists():
        # The sale was never recorded (an order paid before the ledger existed).
        ledger_payment_record(payment=refund.payment)
    terms = order_lines_terms(order, warehouses_from_ledger=True)
    buckets = _sale_buckets(order.pk)
    refund_fen = to_fen(refund.amount)
    line_ids = [
        int(item["line_id"])
        for item in (refund.lines or [])
        if isinstance(item, dict) and "line_id" in item
    ]
    parts = ledger.reversal_plan(
        buckets,
        refund_fen,
        line_ids=line_ids,
        keep_commission_line_ids=[
            t.line_id for t in terms.lines if t.refund_policy == RefundPolicy.PARTIES
        ],
    )
    left = sum(b.fen for b in buckets) - refund_fen
    context = EventContext(
        source, order.pk, order.channel_id, refund.succeeded_at or timezone.now(), terms.facts
    )
    entries_write(context, parts)
    daily_sales_add(
        context,
        parts,
        concerned=terms.concerned,
        units_refunded=_refund_units(refund, terms, left),
        mode="refund",
    )


@transaction.atomic
def ledger_shipment_fee_record(*, shipment: Any) -> None:
    """Write the logistics fee of a shipped shipment.

    The fee is the one of the agreement of the shipment's first line; the operator
    is the agreement's logistics partner, or else the partner of the shipping
    warehouse. The parties of the shipped lines pay it.
    """
    source = f"shipment:{shipment.pk}"
    if _recorded(source):
        return
    order = Order.objects.get(pk=shipment.order_id)
    terms = order_lines_terms(order, warehouse_id=shipment.warehouse_id)
    shipped_line_ids = _shipment_line_ids(shipment)
    lines = [t for t in terms.lines if not shipped_line_ids or t.line_id in shipped_line_ids]
    versions = [v for t in lines if (v := terms.versions.get(t.line_id)) is not None]
    if not lines or not versions or not versions[0].logistics_fee:
        return
    version = versions[0]
    operator_id = version.logistics_partner_id or shipment.warehouse.partner_id
    parts = ledger.logistics_fee_plan(lines, 0, to_fen(version.logistics_fee), operator_id)
    occurred_at = getattr(shipment, "shipped_at", None) or timezone.now()
    context = EventContext(source, order.pk, order.channel_id, occurred_at, terms.facts)
    entries_write(context, parts)
    daily_sales_add(context, parts, concerned={}, mode="fee")


def _shipment_line_ids(shipment: Any) -> set[int]:
    lines = getattr(shipment, "lines", None)
    if lines is None or not hasattr(lines, "values_list"):
        return set()
    return set(lines.values_list("order_line_id", flat=True))
