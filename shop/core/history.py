"""Who changed what and when, with the old and new values, for the rows whose edits
staff and partners must be able to trace: prices, vouchers, channels, agreements,
memberships, partners and staff permissions (django-simple-history).

A tracked model says so where it is defined (``history = ShopHistory(...)``); the
admin shows the history with a diff of each change (``simple_history.admin``), and
``HistoryRequestMiddleware`` names the signed-in user of the request as the author.
Writes that must stay cheap (stock holds, voucher use counts) are conditional
``UPDATE``s, which never write history.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from simple_history.models import HistoricalRecords

# Kept out of every history: when the row last changed is the history's own date.
_ALWAYS_EXCLUDED = ("updated_at",)


class ShopHistory(HistoricalRecords):
    """History without the noise: a save that touches only excluded fields (a sign-in
    stamping ``last_login``) writes no history row, so no extra query either."""

    def __init__(self, *, excluded_fields: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(excluded_fields=list(excluded_fields), **kwargs)

    def finalize(self, sender: Any, **kwargs: Any) -> None:
        if sender is self.cls:
            names = {field.name for field in sender._meta.local_fields}
            self.excluded_fields += [name for name in _ALWAYS_EXCLUDED if name in names]
        super().finalize(sender, **kwargs)

    def post_save(self, instance: Any, created: bool, using: Any = None, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if not created and update_fields and set(update_fields) <= set(self.excluded_fields):
            return
        super().post_save(instance, created, using=using, **kwargs)
