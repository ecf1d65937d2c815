from django.apps import AppConfig


class CartsConfig(AppConfig):
    name = "shop.carts"
    label = "carts"
