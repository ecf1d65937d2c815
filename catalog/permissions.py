"""Who may see and change stock and the catalog.

- Superusers manage everything.
- Staff who belong to a partner (any role) are that partner's staff: they manage stock
  only in that partner's warehouses and may edit the shared catalog.
- Staff without a partner read everything and change nothing.
- Everybody else sees nothing here.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from catalog.errors import CatalogReadOnly, WarehouseNotYours
from catalog.models import MovementReason, Stock, StockMovement, Warehouse
from shop.core.permissions import user_partner_id


def user_is_staff(user: Any) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_staff or user.is_superuser)
    )


def user_stock_partner_id(user: Any) -> int | None:
    """The partner whose warehouses a staff user manages; None for superusers and others."""
    if not user_is_staff(user) or user.is_superuser:
        return None
    return user_partner_id(user)


def user_can_manage_warehouse(user: Any, warehouse: Warehouse) -> bool:
    if not user_is_staff(user):
        return False
    if user.is_superuser:
        return True
    partner_id = user_partner_id(user)
    return partner_id is not None and partner_id == warehouse.partner_id


def warehouse_manage_check(user: Any, warehouse: Warehouse) -> None:
    """Raise the 403 ``warehouse_not_yours`` unless the user may change stock there."""
    if user_can_manage_warehouse(user, warehouse):
        return
    if user_is_staff(user) and user_partner_id(user) is None:
        raise WarehouseNotYours(
            _("Staff who do not belong to a partner can view stock but not change it."),
            warehouse=warehouse.code,
        )
    raise WarehouseNotYours(
        _("Warehouse %(code)s belongs to another partner.") % {"code": warehouse.code},
        warehouse=warehouse.code,
    )


def user_can_edit_catalog(user: Any) -> bool:
    return user_is_staff(user) and (user.is_superuser or user_partner_id(user) is not None)


def catalog_edit_check(user: Any) -> None:
    if not user_can_edit_catalog(user):
        raise CatalogReadOnly()


def warehouses_visible_to(user: Any, queryset: QuerySet[Warehouse]) -> QuerySet[Warehouse]:
    """Partner staff see their partner's warehouses; superusers and other staff see all."""
    if not user_is_staff(user):
        return queryset.none()
    partner_id = user_stock_partner_id(user)
    return queryset if partner_id is None else queryset.filter(partner_id=partner_id)


def stocks_visible_to(user: Any, queryset: QuerySet[Stock]) -> QuerySet[Stock]:
    if not user_is_staff(user):
        return queryset.none()
    partner_id = user_stock_partner_id(user)
    return queryset if partner_id is None else queryset.filter(warehouse__partner_id=partner_id)


def movements_visible_to(user: Any, queryset: QuerySet[StockMovement]) -> QuerySet[StockMovement]:
    if not user_is_staff(user):
        return queryset.none()
    partner_id = user_stock_partner_id(user)
    if partner_id is None:
        return queryset
    own = Q(stock__warehouse__partner_id=partner_id)
    # A transfer between two partners is one record both see: both of its movements.
    transfers = (MovementReason.TRANSFER_OUT, MovementReason.TRANSFER_IN)
    shared = StockMovement.objects.filter(own, reason__in=transfers).values("reference")
    return queryset.filter(own | Q(reason__in=transfers, reference__in=shared))
