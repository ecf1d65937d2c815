from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "shop.ops"
    label = "ops"
    verbose_name = "Operations"
