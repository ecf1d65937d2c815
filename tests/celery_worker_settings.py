"""Settings of the real Celery workers tests start (in their own processes; celery_workers.py).

The test settings with tasks sent to Redis instead of run in-process, and knobs the
tests turn through the environment (``SHOP_TASK_LEASE_SECONDS`` among them, read by the
base settings): fast simulated tracking, and the carrier to use.
"""

from shop.settings.test import *  # noqa: F403
from shop.settings.test import env

CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
SHOP_CARRIER = env("SHOP_CARRIER", default="simulated")
SHOP_SIMULATED_PICKUP_SECONDS = env.int("SHOP_SIMULATED_PICKUP_SECONDS", default=1)
SHOP_SIMULATED_DELIVERY_SECONDS = env.int("SHOP_SIMULATED_DELIVERY_SECONDS", default=3)
SHOP_EXPRESS_BASE_URL = env("SHOP_EXPRESS_BASE_URL", default="")
SHOP_EXPRESS_APP_KEY = env("SHOP_EXPRESS_APP_KEY", default="")
SHOP_EXPRESS_APP_SECRET = env("SHOP_EXPRESS_APP_SECRET", default="")
SHOP_EXPRESS_TIMEOUT_SECONDS = env.int("SHOP_EXPRESS_TIMEOUT_SECONDS", default=5)
