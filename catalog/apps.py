from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = _("Catalog and stock")

    def ready(self) -> None:
        # Connects the receivers that raise the catalog cache's version on changes.
        import catalog.cache  # noqa: F401
        from catalog.images.sizes import source_signals_narrow
        from catalog.models import ProductImage
        from catalog.search.index import deletes_follow

        deletes_follow()

        source_signals_narrow(ProductImage)
