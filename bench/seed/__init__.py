"""The benchmark's data: a small world through the ORM, then the catalog and a year of
sales in bulk with PostgreSQL's COPY and set-based INSERT ... SELECT.

Sizes grow in steps (``catalog_grow(to=...)``, ``sales_grow(to_lines=...)``) so the size
sweeps measure 1k, 10k, 100k products and 10k, 100k, 1M order lines on one database.
Rows are written with explicit ids and triggers off (``session_replication_role =
replica``: no per-row foreign-key checks; the generator keeps every reference valid),
then the sequences are moved past the ids used.

The sales are what the partner reports read: paid orders and their lines over the last
365 days (a few products sell much more than the rest), the ledger entries of their
payments split exactly as the agreements say (commission, then 60/40 between licensor
and designer, to the fen), the daily sales rows summed from them, and one settlement per
partner and month, the months before this one closed with their statement lines.
"""

from bench.seed.catalog import catalog_grow, product_slug, variant_sku
from bench.seed.database import (
    autovacuum_on,
    database_drop,
    database_reset,
    selling_tables_analyze,
)
from bench.seed.drops import drop_outcome, drop_prepare, statement_ids
from bench.seed.sales import sales_grow
from bench.seed.world import COLLECTIONS, World, world_create

__all__ = [
    "COLLECTIONS",
    "World",
    "autovacuum_on",
    "catalog_grow",
    "database_drop",
    "database_reset",
    "drop_outcome",
    "drop_prepare",
    "product_slug",
    "sales_grow",
    "selling_tables_analyze",
    "statement_ids",
    "variant_sku",
    "world_create",
]
