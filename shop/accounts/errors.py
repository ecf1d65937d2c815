from shop.core.errors import ShopError


class InvalidCredentials(ShopError):
    code = "invalid_credentials"
    status_code = 401
    message = "The e-mail address or password is not correct."


class EmailTaken(ShopError):
    code = "email_taken"
    status_code = 409
    message = "An account with this e-mail address exists."
