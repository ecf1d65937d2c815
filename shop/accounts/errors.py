from django.utils.translation import gettext_lazy as _

from shop.core.errors import ShopError


class InvalidCredentials(ShopError):
    code = "invalid_credentials"
    status_code = 401
    message = _("The e-mail address or password is not correct.")


class EmailTaken(ShopError):
    code = "email_taken"
    status_code = 409
    message = _("An account with this e-mail address exists.")
