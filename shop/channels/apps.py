from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "shop.channels"
    label = "channels"
    verbose_name = _("Sales channels")
