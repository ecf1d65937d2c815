"""Catalog and stock error codes."""

from shop.core.errors import ShopError


class InsufficientStock(ShopError):
    code = "insufficient_stock"
    status_code = 409
    message = "Not enough units are available."


class SoldOut(ShopError):
    code = "sold_out"
    status_code = 409
    message = "This item is sold out."


class StockNotFound(ShopError):
    code = "stock_not_found"
    status_code = 404
    message = "No stock record for this variant in this warehouse."
