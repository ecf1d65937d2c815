"""Sign-in limits (API, admin, partner dashboard), guest order pages' limits, and how
the session clients are told of a CSRF refusal."""

from datetime import timedelta

from .environment import env

# Session clients (admin, partner dashboard) get CSRF refusals in the API's error shape.
CSRF_FAILURE_VIEW = "shop.core.errors.csrf_failure"

# Sign-in limits for the API, the admin and the partner dashboard (why these keys:
# shop/accounts/sign_in_limits.py). Wrong passwords for one account from one client
# before that pair must wait; wrong passwords for one account from clients it has never
# signed in from before the account waits for them; how long a wait lasts; how long a
# client that signed in stays known to the account.
SIGN_IN_FAILURES_PER_CLIENT = env.int("SIGN_IN_FAILURES_PER_CLIENT", default=5)
SIGN_IN_FAILURES_PER_ACCOUNT = env.int("SIGN_IN_FAILURES_PER_ACCOUNT", default=20)
SIGN_IN_COOL_OFF_MINUTES = env.float("SIGN_IN_COOL_OFF_MINUTES", default=15)
SIGN_IN_KNOWN_CLIENT_DAYS = env.float("SIGN_IN_KNOWN_CLIENT_DAYS", default=30)
AXES_HANDLER = "shop.accounts.sign_in_limits.SignInLockHandler"
AXES_FAILURE_LIMIT = SIGN_IN_FAILURES_PER_CLIENT
AXES_COOLOFF_TIME = timedelta(minutes=SIGN_IN_COOL_OFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "shop.accounts.sign_in_limits.sign_in_account"
AXES_CLIENT_IP_CALLABLE = "shop.core.throttling.client_address"
AXES_LOCKOUT_CALLABLE = "shop.accounts.sign_in_pages.sign_in_locked_response"
AXES_RESET_ON_SUCCESS = True
# Attempts refused during a lock are not counted: a lock ends a cool-off after it began,
# however often the locked pair tries meanwhile (its password is not checked then).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Counts live in the cache; the database tables axes brings stay empty, so no admin pages.
AXES_ENABLE_ADMIN = False
AXES_CACHE = "default"

# Guest order pages: wrong e-mails for one order number, from anyone, before guests
# must wait for that number, and how long (shop/orders/guest_access.py).
GUEST_ORDER_FAILURES_PER_ORDER = env.int("GUEST_ORDER_FAILURES_PER_ORDER", default=10)
GUEST_ORDER_COOL_OFF_MINUTES = env.float("GUEST_ORDER_COOL_OFF_MINUTES", default=60)

# Hours the link that confirms a new e-mail address works (shop/accounts/email_change.py).
EMAIL_CHANGE_LINK_HOURS = env.float("EMAIL_CHANGE_LINK_HOURS", default=24)

# Sign-in by mobile number with a one-time SMS code (shop/accounts/sms/). The sender:
# "console" (printed; the embedded default), "aliyun" (Alibaba Cloud SMS: an AccessKey,
# an approved signature name and a template with a ${code} parameter) or "tencent"
# (Tencent Cloud SMS: a SecretId/SecretKey, the SMS application's SdkAppId, an approved
# signature name and a template whose {1} is the code; SMS_TEMPLATE_CODE is its id).
SMS_SENDER = env("SMS_SENDER", default="console")
SMS_SIGN_NAME = env("SMS_SIGN_NAME", default="")
SMS_TEMPLATE_CODE = env("SMS_TEMPLATE_CODE", default="")
SMS_ALIYUN_ACCESS_KEY_ID = env("SMS_ALIYUN_ACCESS_KEY_ID", default="")
SMS_ALIYUN_ACCESS_KEY_SECRET = env("SMS_ALIYUN_ACCESS_KEY_SECRET", default="")
SMS_ALIYUN_REGION = env("SMS_ALIYUN_REGION", default="cn-hangzhou")
SMS_ALIYUN_ENDPOINT = env("SMS_ALIYUN_ENDPOINT", default="https://dysmsapi.aliyuncs.com/")
SMS_TENCENT_SECRET_ID = env("SMS_TENCENT_SECRET_ID", default="")
SMS_TENCENT_SECRET_KEY = env("SMS_TENCENT_SECRET_KEY", default="")
SMS_TENCENT_SDK_APP_ID = env("SMS_TENCENT_SDK_APP_ID", default="")
SMS_TENCENT_REGION = env("SMS_TENCENT_REGION", default="ap-guangzhou")
SMS_TENCENT_ENDPOINT = env("SMS_TENCENT_ENDPOINT", default="sms.tencentcloudapi.com")
SMS_TIMEOUT_SECONDS = env.float("SMS_TIMEOUT_SECONDS", default=5)
# How long a code lives, how many wrong guesses it takes, how many codes one number gets
# an hour (the rate per client is THROTTLE_SMS_CODE).
SMS_CODE_MINUTES = env.float("SMS_CODE_MINUTES", default=5)
SMS_CODE_ATTEMPTS = env.int("SMS_CODE_ATTEMPTS", default=5)
SMS_CODES_PER_NUMBER_PER_HOUR = env.int("SMS_CODES_PER_NUMBER_PER_HOUR", default=5)
