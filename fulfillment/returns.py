"""Returns: a shopper asks to send delivered items back; staff approve, receive and refund.

requested -> approved -> received -> refunded, or requested -> rejected.

- A shopper may return units that were delivered no longer than
  ``SHOP_RETURN_WINDOW_DAYS`` ago, and never more units of a line than were
  delivered minus those already in other (not rejected) returns.
- Receiving puts resellable units back on hand in a warehouse (a ``return`` stock
  movement); damaged units come back and are written off at once (a ``return``
  then a ``write_off`` movement), so the audit trail shows both.
- The refund goes through ``shop.payments.refunds.refund_create`` for the price
  paid for the returned units (see :func:`return_amount`); the return that brings
  back the order's last units refunds the shipping too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import MovementReason, Stock, Warehouse
from catalog.stock.movements import stock_change
from fulfillment.errors import (
    ReturnNotAllowed,
    ReturnNotYours,
    ReturnStatusConflict,
    ReturnWindowClosed,
)
from fulfillment.models import (
    ReturnCondition,
    ReturnLine,
    ReturnRequest,
    ReturnStatus,
    ShipmentLine,
    ShipmentStatus,
)
from shop.core.errors import InvalidInput
from shop.core.money import from_fen, lines_net_fen, to_fen
from shop.core.permissions import signed_in, user_partner_id
from shop.orders.models import Order, OrderEventType, OrderLine, OrderStatus
from shop.orders.services import order_event_write, order_lock
from shop.payments.refunds import order_refund_left, refund_create

RETURNABLE_ORDER_STATUSES = (
    OrderStatus.DELIVERED,
    OrderStatus.COMPLETED,
    OrderStatus.PARTIALLY_REFUNDED,
)
MAX_REASON = 500


def _returnable_units(line: OrderLine, since: datetime) -> tuple[int, int]:
    """(units delivered within the window, units delivered at all) of one order line."""
    delivered = ShipmentLine.objects.filter(
        order_line=line, shipment__status=ShipmentStatus.DELIVERED
    )
    in_window = delivered.filter(shipment__delivered_at__gte=since)
    total = delivered.aggregate(n=Sum("quantity"))["n"] or 0
    return in_window.aggregate(n=Sum("quantity"))["n"] or 0, total


def _units_in_returns(line: OrderLine) -> int:
    return (
        ReturnLine.objects.filter(order_line=line)
        .exclude(return_request__status=ReturnStatus.REJECTED)
        .aggregate(n=Sum("quantity"))["n"]
        or 0
    )


def _lines_parse(order: Order, lines: Sequence[dict[str, Any]]) -> list[tuple[OrderLine, int]]:
    if not lines:
        raise InvalidInput(fields={"lines": [_("Choose at least one item to return.")]})
    by_id = {line.pk: line for line in order.lines.all()}
    parsed: list[tuple[OrderLine, int]] = []
    seen: set[int] = set()
    for item in lines:
        line_id, quantity = item.get("line_id"), item.get("quantity")
        if line_id not in by_id:
            raise InvalidInput(
                fields={
                    "lines": [_("Line %(line)s is not part of this order.") % {"line": line_id}]
                }
            )
        if line_id in seen:
            raise InvalidInput(
                fields={"lines": [_("Line %(line)s is listed twice.") % {"line": line_id}]}
            )
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            raise InvalidInput(
                fields={"lines": [_("Each quantity must be a whole number of at least 1.")]}
            )
        seen.add(line_id)
        parsed.append((by_id[line_id], quantity))
    return parsed


@transaction.atomic
def return_request_create(
    *,
    order: Order,
    lines: Sequence[dict[str, Any]],
    reason: str = "",
    user: Any = None,
    now: datetime | None = None,
) -> ReturnRequest:
    """A shopper asks to return delivered units: ``lines`` is ``[{"line_id", "quantity"}]``."""
    now = now or timezone.now()
    order = order_lock(order.pk)
    if order.status not in RETURNABLE_ORDER_STATUSES:
        raise ReturnNotAllowed(
            _('The order\'s status is "%(status)s"; only delivered items can be returned.')
            % {"status": OrderStatus(order.status).label}
        )
    since = now - timedelta(days=settings.SHOP_RETURN_WINDOW_DAYS)
    parsed = _lines_parse(order, lines)
    for line, quantity in parsed:
        in_window, delivered = _returnable_units(line, since)
        if delivered and not in_window:
            raise ReturnWindowClosed(
                _("Returns are accepted for %(days)s days after delivery.")
                % {"days": settings.SHOP_RETURN_WINDOW_DAYS}
            )
        left = in_window - _units_in_returns(line)
        if quantity > left:
            raise ReturnNotAllowed(
                _("At most %(count)s of %(sku)s can be returned.")
                % {"count": max(left, 0), "sku": line.sku},
                fields={
                    "lines": [
                        _("Line %(line)s: at most %(count)s.")
                        % {"line": line.pk, "count": max(left, 0)}
                    ]
                },
            )
    return_request = ReturnRequest.objects.create(
        order=order,
        reason=reason.strip()[:MAX_REASON],
        requested_by=signed_in(user),
    )
    ReturnLine.objects.bulk_create(
        ReturnLine(return_request=return_request, order_line=line, quantity=quantity)
        for line, quantity in parsed
    )
    order_event_write(
        order,
        OrderEventType.NOTE,
        data={"return_id": return_request.pk, "return_status": ReturnStatus.REQUESTED},
        user=user,
    )
    return return_request


def return_partner_ids(return_request: ReturnRequest) -> set[int]:
    """Partners whose warehouses shipped the order: their staff handle its returns."""
    return set(return_request.order.shipments.values_list("partner_id", flat=True))


def return_manage_check(user: Any, return_request: ReturnRequest) -> None:
    if user.is_superuser:
        return
    partner_id = user_partner_id(user)
    if partner_id is None or partner_id not in return_partner_ids(return_request):
        raise ReturnNotYours()


def _return_lock(return_id: int) -> ReturnRequest:
    order_id = ReturnRequest.objects.values_list("order_id", flat=True).get(pk=return_id)
    order_lock(order_id)
    return (
        ReturnRequest.objects.select_for_update(of=("self",), no_key=True)
        .select_related("order")
        .get(pk=return_id)
    )


def _return_status_set(
    return_request: ReturnRequest, new_status: str, *, user: Any, **changes: Any
) -> ReturnRequest:
    for field, value in {"status": new_status, **changes}.items():
        setattr(return_request, field, value)
    return_request.save()
    order_event_write(
        return_request.order,
        OrderEventType.NOTE,
        data={"return_id": return_request.pk, "return_status": new_status},
        user=user,
    )
    return return_request


@transaction.atomic
def return_decide(
    *, return_request: ReturnRequest, approve: bool, user: Any, note: str = ""
) -> ReturnRequest:
    """Staff approve (the shopper sends the parcel) or reject a requested return."""
    return_request = _return_lock(return_request.pk)
    return_manage_check(user, return_request)
    target = ReturnStatus.APPROVED if approve else ReturnStatus.REJECTED
    if return_request.status == target:
        return return_request
    if return_request.status != ReturnStatus.REQUESTED:
        raise ReturnStatusConflict(
            _('A return with status "%(status)s" cannot be decided again.')
            % {"status": ReturnStatus(return_request.status).label}
        )
    return _return_status_set(
        return_request,
        target,
        user=user,
        decided_by=user,
        decided_at=timezone.now(),
        staff_note=note.strip()[:MAX_REASON],
    )


def _warehouse_for(line: ReturnLine, warehouse: Warehouse | None) -> Warehouse:
    if warehouse is not None:
        return warehouse
    shipped_from = (
        ShipmentLine.objects.filter(order_line_id=line.order_line_id)
        .select_related("shipment__warehouse")
        .order_by("id")
        .first()
    )
    if shipped_from is None:
        raise InvalidInput(
            fields={"lines": [_("Line %(line)s needs a warehouse.") % {"line": line.order_line_id}]}
        )
    return shipped_from.shipment.warehouse


@transaction.atomic
def return_receive(
    *,
    return_request: ReturnRequest,
    user: Any,
    lines: Sequence[dict[str, Any]],
) -> ReturnRequest:
    """The parcel came back. ``lines``: ``[{"line_id", "condition", "warehouse"?}]`` for every
    line of the return; ``warehouse`` (a Warehouse) defaults to the one it shipped from."""
    return_request = _return_lock(return_request.pk)
    return_manage_check(user, return_request)
    if return_request.status != ReturnStatus.APPROVED:
        raise ReturnStatusConflict(
            _('A return with status "%(status)s" cannot be received.')
            % {"status": ReturnStatus(return_request.status).label}
        )
    # Every line is checked before any stock moves.
    plan = _receipt_plan(return_request, user, lines)
    for return_line, condition, warehouse in plan:
        _return_line_restock(return_request, return_line, condition, warehouse, user=user)
    return _return_status_set(
        return_request, ReturnStatus.RECEIVED, user=user, received_at=timezone.now()
    )


def _receipt_plan(
    return_request: ReturnRequest, user: Any, lines: Sequence[dict[str, Any]]
) -> list[tuple[ReturnLine, str, Warehouse]]:
    """Each line of the return, in line order, with its condition and the warehouse it goes
    back to; InvalidInput unless ``lines`` names every line once with a known condition,
    ReturnNotYours when a warehouse belongs to another partner than the user's."""
    return_lines = {line.order_line_id: line for line in return_request.lines.all()}
    given = {item.get("line_id"): item for item in lines}
    if set(given) != set(return_lines) or len(given) != len(lines):
        raise InvalidInput(fields={"lines": [_("Give the condition of every returned line once.")]})
    plan = []
    for line_id, return_line in sorted(return_lines.items()):
        item = given[line_id]
        if item.get("condition") not in ReturnCondition.values:
            raise InvalidInput(
                fields={"lines": [_("Line %(line)s: unknown condition.") % {"line": line_id}]}
            )
        warehouse = _warehouse_for(return_line, item.get("warehouse"))
        if not user.is_superuser and user_partner_id(user) != warehouse.partner_id:
            raise ReturnNotYours(
                _("Warehouse %(code)s belongs to another partner.") % {"code": warehouse.code}
            )
        plan.append((return_line, item["condition"], warehouse))
    return plan


def _return_line_restock(
    return_request: ReturnRequest,
    return_line: ReturnLine,
    condition: str,
    warehouse: Warehouse,
    *,
    user: Any,
) -> None:
    """Put the line's units back in stock in ``warehouse``, and write them off again when
    they came back damaged, so the stock history shows both; record where they went."""
    reference = f"return-{return_request.pk}"
    stock, _created = Stock.objects.get_or_create(
        variant_id=return_line.order_line.variant_id, warehouse=warehouse
    )
    movement = stock_change(
        stock_id=stock.pk,
        delta=return_line.quantity,
        reason=MovementReason.RETURN,
        reference=reference,
        note=f"Order {return_request.order.number}",
        user=user,
    )
    if condition == ReturnCondition.DAMAGED:
        movement = stock_change(
            stock_id=stock.pk,
            delta=-return_line.quantity,
            reason=MovementReason.WRITE_OFF,
            reference=reference,
            note=f"Returned damaged, order {return_request.order.number}",
            user=user,
        )
    return_line.condition = condition
    return_line.warehouse = warehouse
    return_line.movement = movement
    return_line.save(update_fields=["condition", "warehouse", "movement"])


def _units_worth(net_fen: int, quantity: int, units: int) -> int:
    """What ``units`` of a line of ``quantity`` units worth ``net_fen`` cost, half up."""
    return (2 * net_fen * units + quantity) // (2 * quantity) if quantity else 0


def return_amount(return_request: ReturnRequest) -> Decimal:
    """What the shopper gets back for a received return.

    The units' price after their part of the order discount (split over the lines as
    the partners' ledger splits it: by line total, lines by product then id), counted
    on the units of each line refunded so far so that a line returned in several
    parcels adds up to what the line cost. The rule for shipping: when the return
    brings back every unit of the order not refunded yet, it refunds everything paid
    and not refunded yet, the shipping included.
    """
    order = return_request.order
    order_lines = sorted(order.lines.all(), key=lambda line: (line.product_id, line.pk))
    returned = {line.order_line_id: line.quantity for line in return_request.lines.all()}
    units_left = sum(line.quantity - line.quantity_refunded for line in order_lines)
    if units_left == sum(returned.values()):
        return order_refund_left(order)
    nets = lines_net_fen([to_fen(line.line_total) for line in order_lines], to_fen(order.discount))
    fen = 0
    for line, net in zip(order_lines, nets, strict=True):
        units = returned.get(line.pk, 0)
        if units:
            done = line.quantity_refunded
            fen += _units_worth(net, line.quantity, done + units)
            fen -= _units_worth(net, line.quantity, done)
    return from_fen(fen)


@transaction.atomic
def return_refund(*, return_request: ReturnRequest, user: Any) -> ReturnRequest:
    """Refund a received return through the payments code; once only.

    The return row stays locked while the refund is made, so two clicks cannot
    refund twice.
    """
    return_request = _return_lock(return_request.pk)
    return_manage_check(user, return_request)
    if return_request.status == ReturnStatus.REFUNDED:
        return return_request
    if return_request.status != ReturnStatus.RECEIVED:
        raise ReturnStatusConflict(
            _('A return with status "%(status)s" cannot be refunded.')
            % {"status": ReturnStatus(return_request.status).label}
        )
    if order_refund_left(return_request.order) <= 0:
        # Staff refunded the whole order before the parcel came back: nothing is left to
        # pay out, and the return ends here instead of waiting for a refund of nothing.
        return _return_status_set(return_request, ReturnStatus.REFUNDED, user=user)
    refund = refund_create(
        order=return_request.order,
        amount=return_amount(return_request),
        reason=f"Return {return_request.pk}",
        user=user,
        lines=[
            {"line_id": line.order_line_id, "quantity": line.quantity}
            for line in return_request.lines.all()
        ],
    )
    # The payments code sends the refund e-mail once the provider confirms it.
    return _return_status_set(return_request, ReturnStatus.REFUNDED, user=user, refund=refund)
