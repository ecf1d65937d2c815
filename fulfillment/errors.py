"""Fulfillment error codes."""

from django.utils.translation import gettext_lazy as _

from shop.core.errors import ShopError


class ShipmentNotFound(ShopError):
    code = "shipment_not_found"
    status_code = 404
    message = _("No such shipment.")


class ShipmentNotYours(ShopError):
    code = "shipment_not_yours"
    status_code = 403
    message = _("This shipment leaves from another partner's warehouse.")


class ShipmentStatusConflict(ShopError):
    code = "shipment_status_conflict"
    status_code = 409
    message = _("The shipment cannot do that in its current status.")


class WaybillRequired(ShopError):
    code = "waybill_required"
    status_code = 400
    message = _("This shipment has no waybill yet; give the carrier's waybill number.")


class WaybillTaken(ShopError):
    code = "waybill_taken"
    status_code = 409
    message = _("Another shipment already has this waybill number.")


class OrderNotFulfillable(ShopError):
    code = "order_not_fulfillable"
    status_code = 409
    message = _("The order cannot be shipped in its current status.")


class ReturnNotFound(ShopError):
    code = "return_not_found"
    status_code = 404
    message = _("No such return.")


class ReturnNotAllowed(ShopError):
    code = "return_not_allowed"
    status_code = 409
    message = _("Items of this order cannot be returned.")


class ReturnWindowClosed(ShopError):
    code = "return_window_closed"
    status_code = 409
    message = _("The time to return items of this order has passed.")


class ReturnStatusConflict(ShopError):
    code = "return_status_conflict"
    status_code = 409
    message = _("The return cannot do that in its current status.")


class ReturnNotYours(ShopError):
    code = "return_not_yours"
    status_code = 403
    message = _("This return concerns another partner's shipments.")


class LabelNotAvailable(ShopError):
    code = "label_not_available"
    status_code = 409
    message = _("The shipment has no waybill yet, so there is no label to print.")
