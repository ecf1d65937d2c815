"""The shop's own settings: what a request may carry, the higher domains' hooks, the
rules operators tune, the carrier and the payment provider."""

from .environment import env

# What a request may carry (shop/core/request_limits.py, shop/core/json_body.py). Keep
# them below gunicorn's own limits (gunicorn.conf.py), so the shop answers, not gunicorn.
SHOP_JSON_BODY_MAX_BYTES = env.int("SHOP_JSON_BODY_MAX_BYTES", default=1_048_576)
SHOP_JSON_MAX_DEPTH = env.int("SHOP_JSON_MAX_DEPTH", default=32)
SHOP_URL_MAX_BYTES = env.int("SHOP_URL_MAX_BYTES", default=4096)
SHOP_HEADER_MAX_BYTES = env.int("SHOP_HEADER_MAX_BYTES", default=8192)
SHOP_HEADERS_MAX_COUNT = env.int("SHOP_HEADERS_MAX_COUNT", default=60)
SHOP_HEADERS_MAX_TOTAL_BYTES = env.int("SHOP_HEADERS_MAX_TOTAL_BYTES", default=32_768)

# The higher domains' answers to the selling code's calls (shop/core/hooks.py), in the
# order they are told.
SHOP_HOOKS = [
    "shop.checkout.hooks.CheckoutHooks",
    "fulfillment.hooks.FulfillmentHooks",
    "partners.hooks.PartnerHooks",
]

# Shop rules that operators may tune.
SHOP_CURRENCY = "CNY"
SHOP_RESERVATION_MINUTES = env.float("SHOP_RESERVATION_MINUTES", default=15)
SHOP_UNPAID_ORDER_MINUTES = env.float("SHOP_UNPAID_ORDER_MINUTES", default=30)
SHOP_RETURN_WINDOW_DAYS = env.int("SHOP_RETURN_WINDOW_DAYS", default=14)
SHOP_LOW_STOCK_DEFAULT = env.int("SHOP_LOW_STOCK_DEFAULT", default=5)
# Seconds public catalog answers are kept in Redis (0: not kept); see catalog/cache.py.
CATALOG_CACHE_SECONDS = env.int("CATALOG_CACHE_SECONDS", default=10)
# Seconds a variant found sold out stays marked so in Redis, refusing a buy-now at once
# (0: no marks); units coming back clear it sooner. See catalog/stock/sold_out.py.
SHOP_SOLD_OUT_MARK_SECONDS = env.float("SHOP_SOLD_OUT_MARK_SECONDS", default=2)
SHOP_PUBLIC_URL = env("SHOP_PUBLIC_URL", default="http://127.0.0.1:8000")
# Days the download link in the "your fapiao is issued" e-mail works.
FAPIAO_LINK_DAYS = env.int("FAPIAO_LINK_DAYS", default=90)
SHOP_PAYMENT_PROVIDER = env("SHOP_PAYMENT_PROVIDER", default="fake")
# Hours an unpaid order and its stock are held for staff once its payment is held for
# review (the provider confirmed another amount or currency).
SHOP_PAYMENT_REVIEW_HOLD_HOURS = env.float("SHOP_PAYMENT_REVIEW_HOLD_HOURS", default=72)
# Hours after which a refund still pending at the provider is reported by check_invariants.
SHOP_REFUND_PENDING_ALERT_HOURS = env.float("SHOP_REFUND_PENDING_ALERT_HOURS", default=72)

# Carrier: "simulated" (development, demo, tests) or "express" (the express company's API).
SHOP_CARRIER = env("SHOP_CARRIER", default="simulated")
SHOP_SIMULATED_PICKUP_SECONDS = env.int("SHOP_SIMULATED_PICKUP_SECONDS", default=20)
SHOP_SIMULATED_DELIVERY_SECONDS = env.int("SHOP_SIMULATED_DELIVERY_SECONDS", default=90)
SHOP_EXPRESS_BASE_URL = env("SHOP_EXPRESS_BASE_URL", default="")
SHOP_EXPRESS_APP_KEY = env("SHOP_EXPRESS_APP_KEY", default="")
SHOP_EXPRESS_APP_SECRET = env("SHOP_EXPRESS_APP_SECRET", default="")
SHOP_EXPRESS_TIMEOUT_SECONDS = env.int("SHOP_EXPRESS_TIMEOUT_SECONDS", default=5)

STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_API_BASE = env("STRIPE_API_BASE", default="")
STRIPE_TIMEOUT_SECONDS = env.int("STRIPE_TIMEOUT_SECONDS", default=10)
# Pay partners through Stripe Connect when a settlement closes (partners need account ids).
PARTNERS_STRIPE_TRANSFERS = env.bool("PARTNERS_STRIPE_TRANSFERS", default=False)

# WeChat Pay API v3, direct merchant (README: "WeChat Pay and Alipay"). Enabled once
# WECHATPAY_MCHID is set. The platform's signatures are checked with its public key
# (WECHATPAY_PUBLIC_KEY and _ID) or, when those are empty, with the platform
# certificates downloaded into WECHATPAY_CERT_DIR.
WECHATPAY_MCHID = env("WECHATPAY_MCHID", default="")
WECHATPAY_APPID = env("WECHATPAY_APPID", default="")
WECHATPAY_API_V3_KEY = env("WECHATPAY_API_V3_KEY", default="")
WECHATPAY_CERT_SERIAL_NO = env("WECHATPAY_CERT_SERIAL_NO", default="")
WECHATPAY_PRIVATE_KEY = env("WECHATPAY_PRIVATE_KEY", default="")  # PEM text
WECHATPAY_PUBLIC_KEY = env("WECHATPAY_PUBLIC_KEY", default="")  # PEM text
WECHATPAY_PUBLIC_KEY_ID = env("WECHATPAY_PUBLIC_KEY_ID", default="")
WECHATPAY_CERT_DIR = env("WECHATPAY_CERT_DIR", default="")
WECHATPAY_NOTIFY_URL = env("WECHATPAY_NOTIFY_URL", default="")
WECHATPAY_API_BASE = env("WECHATPAY_API_BASE", default="https://api.mch.weixin.qq.com")
WECHATPAY_TIMEOUT_SECONDS = env.int("WECHATPAY_TIMEOUT_SECONDS", default=10)
WECHATPAY_FEE_RATE = env("WECHATPAY_FEE_RATE", default="0.006")  # of each payment, to the fen
# Our trade numbers start with this (unique per merchant account and environment).
WECHATPAY_TRADE_PREFIX = env("WECHATPAY_TRADE_PREFIX", default="coshop")

# Alipay open platform, RSA2 keys (README: "WeChat Pay and Alipay"). Enabled once
# ALIPAY_APP_ID is set.
ALIPAY_APP_ID = env("ALIPAY_APP_ID", default="")
ALIPAY_APP_PRIVATE_KEY = env("ALIPAY_APP_PRIVATE_KEY", default="")  # PEM text
ALIPAY_PUBLIC_KEY = env("ALIPAY_PUBLIC_KEY", default="")  # PEM text
# Public-key certificate mode (公钥证书模式), instead of ALIPAY_PUBLIC_KEY: the app's
# public key certificate, Alipay's public key certificate and Alipay's root certificate
# (PEM text, or the path of the .crt file Alipay's key tool gives). All three, or none.
ALIPAY_APP_CERT = env("ALIPAY_APP_CERT", default="")  # appCertPublicKey_<app id>.crt
ALIPAY_PUBLIC_CERT = env("ALIPAY_PUBLIC_CERT", default="")  # alipayCertPublicKey_RSA2.crt
ALIPAY_ROOT_CERT = env("ALIPAY_ROOT_CERT", default="")  # alipayRootCert.crt
ALIPAY_NOTIFY_URL = env("ALIPAY_NOTIFY_URL", default="")
ALIPAY_RETURN_URL = env("ALIPAY_RETURN_URL", default="")
ALIPAY_GATEWAY = env("ALIPAY_GATEWAY", default="https://openapi.alipay.com/gateway.do")
ALIPAY_TIMEOUT_SECONDS = env.int("ALIPAY_TIMEOUT_SECONDS", default=10)
ALIPAY_FEE_RATE = env("ALIPAY_FEE_RATE", default="0.006")
ALIPAY_TRADE_PREFIX = env("ALIPAY_TRADE_PREFIX", default="coshop")
# Seconds a provider's notification may be old (its signed timestamp) before it is refused.
PAYMENT_NOTIFY_MAX_AGE_SECONDS = env.int("PAYMENT_NOTIFY_MAX_AGE_SECONDS", default=300)

# A CSV import of more lines than this runs as a task (staff follow its progress) instead
# of inside the request.
SHOP_CSV_IMPORT_INLINE_ROWS = env.int("SHOP_CSV_IMPORT_INLINE_ROWS", default=1000)
