from django.apps import AppConfig


class CheckoutConfig(AppConfig):
    name = "shop.checkout"
    label = "checkout"
