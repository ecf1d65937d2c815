"""The HTTP API: DRF, its schema, and which other origins may call it."""

from .environment import env

REST_FRAMEWORK = {
    # Token first: an anonymous API call then answers 401 with WWW-Authenticate, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "shop.accounts.authentication.DeviceTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Bounded in size and depth before parsing, strict after (shop/core/json_body.py).
    "DEFAULT_PARSER_CLASSES": ["shop.core.json_parser.JSONBodyParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "shop.core.schema.ShopAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "shop.core.pagination.PagePagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "shop.core.errors.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_THROTTLE_RATES": {
        "sign_in": env("THROTTLE_SIGN_IN", default="10/min"),
        "registration": env("THROTTLE_REGISTRATION", default="10/hour"),
        # SMS codes asked for, and password-reset or verification e-mails, per client.
        "sms_code": env("THROTTLE_SMS_CODE", default="10/hour"),
        "account_email": env("THROTTLE_ACCOUNT_EMAIL", default="10/hour"),
        "cart": env("THROTTLE_CART", default="120/min"),
        "checkout": env("THROTTLE_CHECKOUT", default="30/min"),
        # Guest order pages (look-up, tracking, returns, cancelling): per client.
        "order_access": env("THROTTLE_ORDER_ACCESS", default="30/min"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Co-branded cultural products shop API",
    "DESCRIPTION": (
        "Catalog, stock, carts, orders, payments, fulfillment and partner settlements "
        "for the products a museum and a media group make and sell together."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The interactive docs' scripts are served by the shop itself: no CDN, works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Every status and kind gets its own enum name in the schema.
    "ENUM_NAME_OVERRIDES": {
        "PersonalisationCharsetEnum": "catalog.models.PersonalisationCharset.choices",
        "MovementReasonEnum": "catalog.models.MovementReason.choices",
        "CarrierCodeEnum": "fulfillment.models.CarrierCode.choices",
        "ShipmentStatusEnum": "fulfillment.models.ShipmentStatus.choices",
        "TrackingCodeEnum": "fulfillment.models.TrackingCode.choices",
        "ShipmentEventTypeEnum": "fulfillment.models.ShipmentEventType.choices",
        "ReturnStatusEnum": "fulfillment.models.ReturnStatus.choices",
        "ReturnConditionEnum": "fulfillment.models.ReturnCondition.choices",
        "PartnerRoleEnum": "partners.models.PartnerRole.choices",
        "PartyRoleEnum": "partners.models.PartyRole.choices",
        "FeeBearerEnum": "partners.models.FeeBearer.choices",
        "RefundPolicyEnum": "partners.models.RefundPolicy.choices",
        "SettlementStatusEnum": "partners.models.SettlementStatus.choices",
        "TransferStatusEnum": "partners.models.TransferStatus.choices",
        "SettlementEventTypeEnum": "partners.models.SettlementEventType.choices",
        "LedgerKindEnum": "partners.models.LedgerKind.choices",
        "CartStatusEnum": "shop.carts.models.CartStatus.choices",
        "OrderStatusEnum": "shop.orders.models.OrderStatus.choices",
        "OrderEventTypeEnum": "shop.orders.models.OrderEventType.choices",
        "ChannelKindEnum": "shop.channels.models.ChannelKind.choices",
        "VoucherKindEnum": "shop.checkout.models.VoucherKind.choices",
        "ReservationStatusEnum": "shop.orders.holds.ReservationStatus.choices",
        "PaymentProviderEnum": "shop.payments.models.PaymentProvider.choices",
        "PaymentStatusEnum": "shop.payments.models.PaymentStatus.choices",
        "RefundStatusEnum": "shop.payments.models.RefundStatus.choices",
        "FakeChargeStatusEnum": "shop.payments.models.FakeChargeStatus.choices",
        "PaymentSceneEnum": "shop.payments.services.PAYMENT_SCENES",
    },
}

CORS_ALLOWED_ORIGINS: list[str] = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"

# Storefronts on other origins send these headers and may read these answers' headers.
CORS_ALLOW_HEADERS = (
    "accept",
    "accept-language",
    "authorization",
    "content-type",
    "idempotency-key",
    "if-none-match",
    "x-channel-key",
    "x-csrftoken",
    "x-request-id",
)
CORS_EXPOSE_HEADERS = ["X-Request-ID", "Retry-After", "ETag"]
