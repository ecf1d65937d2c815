"""The production settings, plus the two knobs the benchmark turns from its environment.

``CATALOG_CACHE_SECONDS`` (how long catalog answers are kept in Redis, see
catalog/cache.py) is read here until the shop's own settings read it;
``CELERY_TASK_ALWAYS_EAGER`` stays false unless the run asks otherwise.
"""

from shop.settings.production import *  # noqa: F403
from shop.settings.production import env

CATALOG_CACHE_SECONDS = env.int("CATALOG_CACHE_SECONDS", default=10)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
