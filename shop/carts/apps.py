from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CartsConfig(AppConfig):
    name = "shop.carts"
    label = "carts"
    verbose_name = _("Carts")
