"""The catalog's SQL written around the ORM's (:class:`~shop.core.kept_statements.KeptComposition`):
only what the ORM cannot keep with a slot, the rules stay in the querysets."""

from __future__ import annotations

# The product list's bounded count (catalog.list_kept): the entries the filters leave,
# counted up to slot ``most`` (one past the count asked), the bound a slot rather than
# the ORM's literal LIMIT, so one statement serves every page's count.
LIST_COUNT = "SELECT COUNT(*) FROM ({entries} LIMIT %s) counted"
