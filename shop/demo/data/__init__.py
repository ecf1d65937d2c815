"""Demo data for the shop: the palace museum and the newspaper selling co-branded products.

The data is declared in the sibling modules (stories, products_*, operations) and
written by the loaders, each of which can run again without changing anything.
Later parts of the shop add their own loaders (for example demo orders) to
``demo_load``.
"""

from __future__ import annotations

from django.db import transaction

from catalog.list_entries import list_entries_refresh
from catalog.models import Product
from shop.demo.data.loaders import (
    DemoReport,
    demo_catalog_load,
    demo_channels_load,
    demo_listings_load,
    demo_partners_load,
    demo_stock_load,
    demo_users_load,
)
from shop.demo.data.selling import demo_selling_load

__all__ = [
    "DemoReport",
    "demo_catalog_load",
    "demo_channels_load",
    "demo_listings_load",
    "demo_load",
    "demo_partners_load",
    "demo_selling_load",
    "demo_stock_load",
    "demo_users_load",
]


@transaction.atomic
def demo_load() -> DemoReport:
    """Load every piece of demo data in one transaction; returns what was done."""
    report = DemoReport()
    partners = demo_partners_load(report)
    products = demo_catalog_load(report)
    channels = demo_channels_load(report, partners)
    demo_listings_load(report, products, channels)
    demo_stock_load(report, partners)
    # The product list's entries, from the catalog as now loaded (see catalog/list_entries.py).
    list_entries_refresh(product_ids=Product.objects.values_list("pk", flat=True))
    demo_users_load(report, partners)
    demo_selling_load(report)
    return report
