from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = "Partners"

    def ready(self) -> None:
        # Agreements, the ledger and settlements in the admin, kept apart from admin.py.
        from partners import admin_money  # noqa: F401
