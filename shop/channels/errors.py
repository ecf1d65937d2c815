from shop.core.errors import ShopError


class ChannelRequired(ShopError):
    code = "channel_required"
    message = "Say which channel this request is for: the X-Channel-Key header or ?channel=<code>."


class InvalidChannelKey(ShopError):
    code = "invalid_channel_key"
    status_code = 401
    message = "The channel key is not valid."


class ChannelNotFound(ShopError):
    code = "channel_not_found"
    status_code = 404
    message = "No such channel."


class ChannelInactive(ShopError):
    code = "channel_inactive"
    status_code = 403
    message = "This channel is not selling right now."


class ChannelKeyRequired(ShopError):
    code = "channel_key_required"
    status_code = 401
    message = "This channel's storefront must identify itself with its key."
