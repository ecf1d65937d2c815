from django.utils.translation import gettext_lazy as _

from shop.core.errors import ShopError


class FapiaoNotFound(ShopError):
    code = "fapiao_not_found"
    status_code = 404
    message = _("No fapiao was requested for this order.")


class FapiaoAlreadyRequested(ShopError):
    code = "fapiao_already_requested"
    status_code = 409
    message = _("A fapiao was already requested for this order.")


class FapiaoNotIssued(ShopError):
    code = "fapiao_not_issued"
    status_code = 409
    message = _("The fapiao has not been issued yet.")


class FapiaoNotAllowed(ShopError):
    code = "fapiao_not_allowed"
    status_code = 409
    message = _("A fapiao is issued only for an order that is placed and not cancelled.")


class FapiaoLinkInvalid(ShopError):
    code = "link_invalid"
    status_code = 400
    message = _(
        "This download link is not valid or has expired. Sign in, or open the order with "
        "its e-mail address, to download the fapiao."
    )
