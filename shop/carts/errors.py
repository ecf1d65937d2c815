"""Error codes of a shopper's cart."""

from django.utils.translation import gettext_lazy as _

from shop.core.errors import ShopError


class CartNotFound(ShopError):
    code = "cart_not_found"
    status_code = 404
    message = _("No such cart in this channel.")


class CartLineNotFound(ShopError):
    code = "cart_line_not_found"
    status_code = 404
    message = _("No such line in this cart.")


class CartAlreadyOrdered(ShopError):
    code = "cart_already_ordered"
    status_code = 409
    message = _("An order was already placed from this cart.")
