"""Errors of partner agreements, settlements and reports, each with a stable code."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from shop.core.errors import Conflict, InvalidInput, NotFound


class AgreementSharesInvalid(InvalidInput):
    code = "agreement_shares_invalid"
    message = _("The parties' shares must be positive and add up to 10000 basis points.")


class AgreementVersionDateInvalid(InvalidInput):
    code = "agreement_version_date_invalid"
    message = _("A new version starts after the current one and not before today.")


class AgreementTermsInvalid(InvalidInput):
    code = "agreement_terms_invalid"
    message = _("The agreement's terms are not valid.")


class SettlementPeriodNotOver(Conflict):
    code = "settlement_period_not_over"
    message = _("A settlement closes only after its month is over.")


class SettlementNotFound(NotFound):
    code = "settlement_not_found"
    message = _("No such settlement.")


class PartnerRequired(InvalidInput):
    code = "partner_required"
    message = _("Say which partner's figures you want with ?partner=<code>.")


class PartnerNotFound(NotFound):
    code = "partner_not_found"
    message = _("No such partner.")


class ReportFilterInvalid(InvalidInput):
    code = "report_filter_invalid"
    message = _("Some report filters are not valid.")
