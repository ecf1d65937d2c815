"""Catalog and stock error codes."""

from django.utils.translation import gettext_lazy as _

from shop.core.errors import ShopError


class InsufficientStock(ShopError):
    code = "insufficient_stock"
    status_code = 409
    message = _("Not enough units are available.")


class SoldOut(ShopError):
    code = "sold_out"
    status_code = 409
    message = _("This item is sold out.")


class CsvImportNotFound(ShopError):
    code = "csv_import_not_found"
    status_code = 404
    message = _("No such import of yours.")


class StockNotFound(ShopError):
    code = "stock_not_found"
    status_code = 404
    message = _("No stock record for this variant in this warehouse.")


class EditionSizeExceeded(ShopError):
    code = "edition_size_exceeded"
    status_code = 409
    message = _("This receipt would take the units made of a limited edition above its size.")


class ReservedUnitsProtected(ShopError):
    code = "reserved_units_protected"
    status_code = 409
    message = _("Reserved units cannot be removed; release the reservations first.")


class SameWarehouse(ShopError):
    code = "same_warehouse"
    status_code = 400
    message = _("A transfer needs two different warehouses.")


class WarehouseInactive(ShopError):
    code = "warehouse_inactive"
    status_code = 409
    message = _("This warehouse is closed for stock changes.")


class WarehouseNotYours(ShopError):
    code = "warehouse_not_yours"
    status_code = 403
    message = _("You may only manage stock in your own partner's warehouses.")


class CatalogReadOnly(ShopError):
    code = "catalog_read_only"
    status_code = 403
    message = _("Only administrators and partner staff may edit the catalog.")


class ImportRejected(ShopError):
    """A CSV file with at least one bad row; nothing in it was stored."""

    code = "import_rejected"
    status_code = 400
    message = _("The file was not imported: fix the rows listed and upload it again.")
