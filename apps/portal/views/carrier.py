"""Carrier portal: dashboard, rate card, coverage."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView

from apps.core.money import Money
from apps.orders.models import TransportLeg
from apps.portal import legs
from apps.portal.forms import CoverageForm, RateCardForm
from apps.portal.mixins import CarrierPortalView, PortalFormMixin
from apps.suppliers.models import Carrier, RateCard
from apps.suppliers.services import participant_profile_update, rate_card_update
from apps.suppliers.transport import RateTerms, TooHeavy, leg_quote

# Example legs shown on the dashboard so a carrier sees what its rate card means in practice.
EXAMPLE_LEGS = [(10, Decimal(5)), (50, Decimal(20)), (150, Decimal(100))]
KM_PER_DEGREE_LAT = 111.195


def example_quotes(carrier: Carrier, card: RateCard | None) -> list[dict]:
    if card is None:
        return []
    terms = RateTerms.of(carrier, card)
    origin = carrier.coordinates
    rows = []
    for km, kg in EXAMPLE_LEGS:
        destination = (origin[0] + km / KM_PER_DEGREE_LAT, origin[1])  # due north, `km` away
        try:
            quote = leg_quote(terms=terms, origin=origin, destination=destination, weight_kg=kg)
        except TooHeavy:
            rows.append({"km": km, "kg": kg, "price": None, "hours": None})
            continue
        rows.append(
            {
                "km": km,
                "kg": kg,
                "price": Money(quote.price_minor, card.currency),
                "hours": round(quote.duration_minutes / 60, 1),
            }
        )
    return rows


class CarrierDashboardView(CarrierPortalView, TemplateView):
    template_name = "portal/carrier/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        card = RateCard.objects.filter(carrier=self.company).first()
        board = legs.leg_board(self.scoped(TransportLeg, "carrier"), now=timezone.now())
        context.update(rate_card=card, examples=example_quotes(self.company, card), board=board)
        return context


class _CarrierForm(PortalFormMixin, CarrierPortalView, FormView):
    def get_template_names(self):
        return [f"{self.template_name}#form" if self.request.htmx else self.template_name]


class RateCardEditView(_CarrierForm):
    template_name = "portal/carrier/rate_card.html"
    form_class = RateCardForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = RateCard.objects.filter(carrier=self.company).first()
        kwargs["currency"] = self.request.tenant.currency
        return kwargs

    def form_valid(self, form):
        return self.submit(
            form,
            lambda: rate_card_update(carrier=self.company, **form.cleaned_data),
            success="Rate card saved.",
            next_url=reverse("portal:carrier_dashboard"),
        )


class CoverageEditView(_CarrierForm):
    template_name = "portal/carrier/coverage.html"
    form_class = CoverageForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = Carrier.objects.get(pk=self.company.pk)
        return kwargs

    def form_valid(self, form):
        return self.submit(
            form,
            lambda: participant_profile_update(participant=self.company, **form.cleaned_data),
            success="Coverage saved.",
            next_url=reverse("portal:carrier_dashboard"),
        )
