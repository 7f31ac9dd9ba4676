"""Earnings of the member's company: expected, pending and paid amounts per currency, and the statements,
transfers and bank payouts behind them (apps/payouts/selectors.py). Read only."""

from __future__ import annotations

from django.views.generic import TemplateView

from apps.payouts.selectors import (
    participant_money_summary,
    payout_list_for_participant,
    statement_list_for_participant,
    transfer_list_for_participant,
)
from apps.portal.mixins import CarrierPortalView, SupplierPortalView

ROWS_SHOWN = 50


class _Earnings(TemplateView):
    template_name = "portal/earnings.html"
    participant_kwarg = ""  # "asset_owner" or "carrier"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        owner = {self.participant_kwarg: self.company}
        summary = participant_money_summary(**owner)
        context.update(
            summary=[summary[currency] for currency in sorted(summary)],
            statements=list(statement_list_for_participant(**owner)[:ROWS_SHOWN]),
            transfers=list(transfer_list_for_participant(**owner)[:ROWS_SHOWN]),
            payouts=list(payout_list_for_participant(**owner)[:ROWS_SHOWN]),
            rows_shown=ROWS_SHOWN,
        )
        return context


class SupplierEarningsView(SupplierPortalView, _Earnings):
    participant_kwarg = "asset_owner"


class CarrierEarningsView(CarrierPortalView, _Earnings):
    participant_kwarg = "carrier"
