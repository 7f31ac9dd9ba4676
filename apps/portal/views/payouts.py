"""'Set up payouts': Stripe Connect onboarding of the member's company, for suppliers and carriers alike."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.views.generic import TemplateView

from apps.payouts.connect.onboarding import (
    CrossBorderRefused,
    NotApproved,
    connect_onboarding_start,
    connect_status_refresh,
)
from apps.payouts.stripe_client import StripeCallError
from apps.portal.mixins import CarrierPortalView, SupplierPortalView

logger = logging.getLogger(__name__)


class PayoutsSetupPage(TemplateView):
    """GET: payout readiness. POST: start (or continue) onboarding → redirect to Stripe's hosted page.

    Owners only (concrete views set owner_only): the connected account is the company's bank relationship.
    """

    template_name = "portal/payouts_setup.html"
    url_prefix = ""  # "portal:" or "portal:carrier_"

    def _url(self, name: str) -> str:
        return self.request.build_absolute_uri(reverse(f"{self.url_prefix}{name}"))

    def _start(self):
        try:
            url = connect_onboarding_start(
                participant=self.company,
                return_url=self._url("payouts_return"),
                refresh_url=self._url("payouts_refresh"),
            )
        except NotApproved:
            messages.error(self.request, "Payouts can be set up once staff have approved your company.")
            return self.render_to_response(self.get_context_data(), status=409)
        except CrossBorderRefused as refused:
            messages.error(self.request, str(refused))
            return self.render_to_response(self.get_context_data(), status=409)
        except StripeCallError as error:
            logger.warning("Connect onboarding of %s failed: %s", self.company, error)
            messages.error(self.request, "Stripe could not be reached; please try again in a minute.")
            return self.render_to_response(self.get_context_data(), status=503)
        return HttpResponseRedirect(url)

    def post(self, request, *args, **kwargs):
        return self._start()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["setup_url"] = reverse(f"{self.url_prefix}payouts_setup")
        return context


class PayoutsReturnPage(PayoutsSetupPage):
    """Stripe sends the member back here: re-read the account and show where onboarding stands."""

    def get(self, request, *args, **kwargs):
        if self.company.stripe_account_id:
            try:
                participant = connect_status_refresh(account_id=self.company.stripe_account_id)
            except StripeCallError as error:
                logger.warning("Connect status of %s unavailable: %s", self.company, error)
                messages.error(request, "Stripe could not be reached; the status below may be out of date.")
            else:
                if participant is not None:
                    self.company = participant
                    if participant.onboarded:
                        messages.success(request, "Payouts are set up.")
                    else:
                        messages.warning(request, "Stripe still needs some details before payouts can start.")
        return super().get(request, *args, **kwargs)


class PayoutsRefreshPage(PayoutsSetupPage):
    """Stripe's refresh_url: the link expired or was used; hand out a new one."""

    def get(self, request, *args, **kwargs):
        return self._start()


class SupplierPayoutsSetupView(SupplierPortalView, PayoutsSetupPage):
    url_prefix = "portal:"
    owner_only = True


class SupplierPayoutsReturnView(SupplierPortalView, PayoutsReturnPage):
    url_prefix = "portal:"
    owner_only = True


class SupplierPayoutsRefreshView(SupplierPortalView, PayoutsRefreshPage):
    url_prefix = "portal:"
    owner_only = True


class CarrierPayoutsSetupView(CarrierPortalView, PayoutsSetupPage):
    url_prefix = "portal:carrier_"
    owner_only = True


class CarrierPayoutsReturnView(CarrierPortalView, PayoutsReturnPage):
    url_prefix = "portal:carrier_"
    owner_only = True


class CarrierPayoutsRefreshView(CarrierPortalView, PayoutsRefreshPage):
    url_prefix = "portal:carrier_"
    owner_only = True
