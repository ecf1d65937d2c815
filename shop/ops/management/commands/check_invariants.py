"""``manage.py check_invariants``: check that stock, orders, payments and the ledger agree.

Prints every broken rule and exits with status 1 when there is one, so an operator
(or a cron job after an incident) can tell at once whether the books are consistent.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from shop.ops.invariants import invariants_check


class Command(BaseCommand):
    help = (
        "Check that stock equals its movements and reservations, paid orders have one "
        "payment, and each order's ledger adds up to its payments less refunds and fees."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        violations = invariants_check()
        for violation in violations:
            self.stdout.write(str(violation))
        if violations:
            raise CommandError(f"{len(violations)} invariant violations.")
        self.stdout.write(self.style.SUCCESS("All invariants hold."))
