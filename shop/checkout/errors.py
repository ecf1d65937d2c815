"""Error codes a shopper may meet while buying."""

from django.utils.translation import gettext_lazy as _

from shop.core.errors import ShopError


class NotAvailable(ShopError):
    code = "not_available"
    status_code = 409
    message = _("This item is not for sale.")


class NotAvailableInChannel(ShopError):
    code = "not_available_in_channel"
    status_code = 409
    message = _("This item is not sold in this channel right now.")


class DropNotOpen(ShopError):
    code = "drop_not_open"
    status_code = 409
    message = _("This item is sold only during its livestream drop.")


class LimitExceeded(ShopError):
    code = "limit_exceeded"
    status_code = 409
    message = _("This would exceed the number of units one customer may buy.")


class PersonalisationInvalid(ShopError):
    code = "personalisation_invalid"
    message = _("The personalisation text is not valid for this product.")


class CartEmpty(ShopError):
    code = "cart_empty"
    message = _("The cart has no lines.")


class CheckoutIncomplete(ShopError):
    code = "checkout_incomplete"
    message = _("Some details are missing before the order can be placed.")


class ShippingMethodUnavailable(ShopError):
    code = "shipping_method_unavailable"
    message = _("This shipping method does not deliver to the address.")


class VoucherInvalid(ShopError):
    code = "voucher_invalid"
    message = _("This voucher cannot be used.")


class VariantNotFound(ShopError):
    code = "variant_not_found"
    status_code = 404
    message = _("No such product variant.")
