import math

from django.utils.translation import gettext_lazy as _

from shop.core.errors import ShopError, TooManyAttempts


class InvalidCredentials(ShopError):
    code = "invalid_credentials"
    status_code = 401
    message = _("The e-mail address or password is not correct.")


class EmailTaken(ShopError):
    code = "email_taken"
    status_code = 409
    message = _("An account with this e-mail address exists.")


class SignInLocked(TooManyAttempts):
    """Too many wrong passwords for this account (from this client, or from everywhere
    for a client the account has not signed in from): see shop/accounts/sign_in_limits.py."""

    code = "sign_in_locked"

    def __init__(self, *, retry_after: int) -> None:
        minutes = max(1, math.ceil(retry_after / 60))
        message = _(
            "Too many failed sign-in attempts for this account. "
            "Please wait %(minutes)s minute(s) and try again."
        ) % {"minutes": minutes}
        super().__init__(message, retry_after=retry_after)


class DeviceNotFound(ShopError):
    code = "device_not_found"
    status_code = 404
    message = _("No such signed-in device.")


class AddressNotFound(ShopError):
    code = "address_not_found"
    status_code = 404
    message = _("No such saved address.")


class VerificationLinkInvalid(ShopError):
    code = "link_invalid"
    status_code = 400
    message = _("This link is not valid or has expired. Ask for a new one.")


class SmsCodeInvalid(ShopError):
    code = "sms_code_invalid"
    status_code = 400
    message = _("The code is wrong or has expired. Ask for a new one.")


class SmsCodeTooOften(TooManyAttempts):
    code = "sms_code_too_often"

    def __init__(self, *, retry_after: int) -> None:
        super().__init__(
            _("Too many codes were sent to this number. Please try again later."),
            retry_after=retry_after,
        )


class SmsNotSent(ShopError):
    code = "sms_not_sent"
    status_code = 503
    message = _("The text message could not be sent. Please try again.")


class PhoneTaken(ShopError):
    code = "phone_taken"
    status_code = 409
    message = _("Another account has verified this mobile number.")


class PhoneNotRegistered(ShopError):
    code = "phone_not_registered"
    status_code = 401
    message = _("No account has verified this mobile number.")


class SmsNumberLimited(TooManyAttempts):
    """The SMS provider's own limit for one number (so many a minute, an hour, a day)."""

    code = "sms_number_limited"

    def __init__(self, *, retry_after: int) -> None:
        super().__init__(
            _(
                "This number has been sent as many text messages as the provider allows "
                "for now. Please try again later."
            ),
            retry_after=retry_after,
        )


class SmsNumberRefused(ShopError):
    code = "sms_number_refused"
    status_code = 400
    message = _("Text messages cannot be sent to this number.")
