"""The partners in the admin: partners and their members, agreements, the ledger and
settlements, a module each (Django's admin discovery imports this package)."""

from partners.admin import agreements, ledger, partners, settlements

__all__ = ["agreements", "ledger", "partners", "settlements"]
