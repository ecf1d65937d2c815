from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "shop.channels"
    label = "channels"
    verbose_name = "Sales channels"
