"""Settings shared by every environment, gathered from shop/settings/components/, one
file per concern.

Every value comes from the environment through the one ``env`` object
(components/environment.py); the local, test and production modules only change
defaults and demand secrets.
"""

from .components.api import *  # noqa: F403
from .components.application import *  # noqa: F403
from .components.databases import *  # noqa: F403
from .components.environment import *  # noqa: F403
from .components.files import *  # noqa: F403
from .components.observability import *  # noqa: F403
from .components.shop_rules import *  # noqa: F403
from .components.sign_in import *  # noqa: F403
from .components.tasks import *  # noqa: F403
