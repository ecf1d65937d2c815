"""Settings of the real Celery workers the worker tests start (in their own processes).

The test settings with tasks sent to Redis instead of run in-process, and knobs the
tests turn through the environment: a short visibility timeout (so a killed worker's
task comes back within seconds), fast simulated tracking, and the carrier to use.
"""

from shop.settings.test import *  # noqa: F403
from shop.settings.test import CELERY_BROKER_TRANSPORT_OPTIONS, env

CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "visibility_timeout": env.int("TEST_VISIBILITY_TIMEOUT", default=600),
    # Look for abandoned messages every second, not every 100 seconds.
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
SHOP_CARRIER = env("SHOP_CARRIER", default="simulated")
SHOP_SIMULATED_PICKUP_SECONDS = env.int("SHOP_SIMULATED_PICKUP_SECONDS", default=1)
SHOP_SIMULATED_DELIVERY_SECONDS = env.int("SHOP_SIMULATED_DELIVERY_SECONDS", default=3)
SHOP_EXPRESS_BASE_URL = env("SHOP_EXPRESS_BASE_URL", default="")
SHOP_EXPRESS_APP_KEY = env("SHOP_EXPRESS_APP_KEY", default="")
SHOP_EXPRESS_APP_SECRET = env("SHOP_EXPRESS_APP_SECRET", default="")
SHOP_EXPRESS_TIMEOUT_SECONDS = env.int("SHOP_EXPRESS_TIMEOUT_SECONDS", default=5)
