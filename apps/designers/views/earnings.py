"""The designer's earnings (read only): sales per product and period, royalties earned and where the money is
(expected, being transferred, in the Stripe balance, paid out), the transfers and bank payouts, what refunds took
back, and the statement of each order for the designer's own lines. Another designer's order is 404."""

from __future__ import annotations

from django.http import Http404
from django.views.generic import TemplateView

from apps.designers.earnings_filters import SalesFilterForm
from apps.designers.views.mixins import DesignerPortalView
from apps.payouts.designer_earnings import (
    designer_reversals,
    designer_sales,
    designer_statement_for_order,
)
from apps.payouts.selectors import (
    participant_money_summary,
    payout_list_for_participant,
    statement_list_for_participant,
    transfer_list_for_participant,
)

ROWS_SHOWN = 50


class EarningsView(DesignerPortalView, TemplateView):
    template_name = "designers/earnings/earnings.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        designer = self.company
        form = SalesFilterForm(self.request.GET or None)
        if not form.is_bound:
            sales, period_unit = designer_sales(designer=designer), "month"
        elif form.is_valid():
            chosen = form.range()
            sales, period_unit = designer_sales(designer=designer, **chosen), chosen["period"]
        else:
            sales, period_unit = [], "month"
        summary = participant_money_summary(designer=designer)
        context.update(
            form=form,
            sales=sales,
            period_unit=period_unit,
            summary=[summary[currency] for currency in sorted(summary)],
            statements=list(statement_list_for_participant(designer=designer)[:ROWS_SHOWN]),
            transfers=list(transfer_list_for_participant(designer=designer)[:ROWS_SHOWN]),
            reversals=list(designer_reversals(designer=designer)[:ROWS_SHOWN]),
            payouts=list(payout_list_for_participant(designer=designer)[:ROWS_SHOWN]),
            rows_shown=ROWS_SHOWN,
        )
        return context

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if context["form"].is_bound and not context["form"].is_valid():
            response.status_code = 400
        return response


class StatementView(DesignerPortalView, TemplateView):
    template_name = "designers/earnings/statement.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        statement = designer_statement_for_order(designer=self.company, order_id=self.kwargs["order_id"])
        if statement is None:
            raise Http404("No statement of yours for this order.")
        context.update(statement=statement, parts=list(statement.parts.all()))
        return context
