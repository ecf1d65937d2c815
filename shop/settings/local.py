"""A developer's machine and the embedded first run: SQLite, in-process tasks, console mail."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# runserver answers /media/ itself: the demo's product pictures show with no other server.
SHOP_SERVE_MEDIA = env.bool("SHOP_SERVE_MEDIA", default=True)
