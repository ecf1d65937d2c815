"""The partners' models, one module per concept; import them from here."""

from partners.models.agreements import (
    Agreement,
    AgreementParty,
    AgreementVersion,
    FeeBearer,
    PartyRole,
    RefundPolicy,
)
from partners.models.ledger import LedgerEntry, LedgerKind
from partners.models.partners import (
    DEFAULT_TIMEZONE,
    Partner,
    PartnerMembership,
    PartnerRole,
    zone_named,
)
from partners.models.reports import DailySales, DailyTotals, MonthlyProductSales, ReportDelta
from partners.models.settlements import (
    Settlement,
    SettlementEvent,
    SettlementEventType,
    SettlementLine,
    SettlementStatus,
    TransferStatus,
)

__all__ = [
    "DEFAULT_TIMEZONE",
    "Agreement",
    "AgreementParty",
    "AgreementVersion",
    "DailySales",
    "DailyTotals",
    "FeeBearer",
    "LedgerEntry",
    "LedgerKind",
    "MonthlyProductSales",
    "Partner",
    "PartnerMembership",
    "PartnerRole",
    "PartyRole",
    "RefundPolicy",
    "ReportDelta",
    "Settlement",
    "SettlementEvent",
    "SettlementEventType",
    "SettlementLine",
    "SettlementStatus",
    "TransferStatus",
    "zone_named",
]
