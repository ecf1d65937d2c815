"""Payment errors: the ones a shopper can act on, and the ones where the provider broke.

As in any till: a declined card is told to the shopper (402); a provider that does not
answer is our problem, answered with 503 so the caller retries later.
"""

from django.utils.translation import gettext_lazy as _

from shop.core.errors import ShopError


class PaymentNotFound(ShopError):
    code = "payment_not_found"
    status_code = 404
    message = _("No such payment.")


class OrderNotPayable(ShopError):
    code = "order_not_payable"
    status_code = 409
    message = _("This order cannot be paid: it is not waiting for payment.")


class OrderPaymentExpired(ShopError):
    code = "order_expired"
    status_code = 409
    message = _("The time to pay this order is over; please place the order again.")


class PaymentProviderNotEnabled(ShopError):
    code = "payment_provider_not_enabled"
    status_code = 400
    message = _("That payment provider is not available in this shop.")


class PaymentDeclined(ShopError):
    code = "payment_declined"
    status_code = 402
    message = _("The payment was declined. Please try another card or payment method.")


class PaymentProviderUnavailable(ShopError):
    code = "payment_provider_unavailable"
    status_code = 503
    message = _("The payment provider did not answer; nothing was charged. Please retry shortly.")


class PaymentProviderRejected(ShopError):
    """The provider answered but refused the request (a configuration or state problem)."""

    code = "payment_provider_rejected"
    status_code = 502
    message = _("The payment provider refused the request.")


class PaymentNotPending(ShopError):
    code = "payment_not_pending"
    status_code = 409
    message = _("This payment is already completed.")


class NotFakePayment(ShopError):
    code = "not_fake_payment"
    status_code = 409
    message = _("Only payments with the offline fake provider can be confirmed this way.")


class InvalidWebhookSignature(ShopError):
    code = "invalid_signature"
    status_code = 400
    message = _("The webhook signature does not match its body.")


class InvalidWebhookEvent(ShopError):
    code = "invalid_event"
    status_code = 400
    message = _("The webhook body is not a Stripe event of the expected shape.")


class NothingToRefund(ShopError):
    code = "nothing_to_refund"
    status_code = 409
    message = _("This order has no payment that can be refunded.")


class RefundExceedsPaid(ShopError):
    code = "refund_exceeds_paid"
    status_code = 409
    message = _("The refund is more than what was paid and not yet refunded.")


class RefundLineInvalid(ShopError):
    code = "refund_line_invalid"
    status_code = 400
    message = _("A refunded line is not part of this order or has fewer units left to refund.")


class OrderNotCancellable(ShopError):
    code = "order_not_cancellable"
    status_code = 409
    message = _("This order cannot be cancelled any more.")


class PaymentUnderReview(ShopError):
    code = "payment_under_review"
    status_code = 409
    message = _(
        "A payment of this order is being checked by our staff; the order cannot be paid"
        " again until they have settled it."
    )


class PaymentNotInReview(ShopError):
    code = "payment_not_in_review"
    status_code = 409
    message = _("This payment is not held for review.")
