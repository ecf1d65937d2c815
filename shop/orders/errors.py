from django.utils.translation import gettext_lazy as _

from shop.core.errors import ShopError, TooManyAttempts


class IllegalTransition(ShopError):
    code = "illegal_transition"
    status_code = 409
    message = _("The order cannot move to that status from its current one.")


class OrderNotFound(ShopError):
    code = "order_not_found"
    status_code = 404
    message = _("No such order.")


class IdempotencyKeyRequired(ShopError):
    code = "idempotency_key_required"
    message = _("Send an Idempotency-Key header (1 to 100 characters) to place an order.")


class IdempotencyKeyReused(ShopError):
    code = "idempotency_key_reused"
    status_code = 409
    message = _("This Idempotency-Key was already used for a different request.")


class OrderGuessesLocked(TooManyAttempts):
    code = "order_locked"
    message = _(
        "Too many wrong e-mail addresses were given for this order number. "
        "Please wait before trying again, or sign in to see your order."
    )


class OrderReadOnlyForStaff(ShopError):
    code = "permission_denied"
    status_code = 403
    message = _("Staff who do not belong to a partner can view orders but not change them.")
