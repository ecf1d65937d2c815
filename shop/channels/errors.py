from django.utils.translation import gettext_lazy as _

from shop.core.errors import ShopError


class ChannelRequired(ShopError):
    code = "channel_required"
    message = _(
        "Say which channel this request is for: the X-Channel-Key header or ?channel=<code>."
    )


class InvalidChannelKey(ShopError):
    code = "invalid_channel_key"
    status_code = 401
    message = _("The channel key is not valid.")


class ChannelNotFound(ShopError):
    code = "channel_not_found"
    status_code = 404
    message = _("No such channel.")


class ChannelInactive(ShopError):
    code = "channel_inactive"
    status_code = 403
    message = _("This channel is not selling right now.")


class ChannelKeyRequired(ShopError):
    code = "channel_key_required"
    status_code = 401
    message = _("This channel's storefront must identify itself with its key.")
