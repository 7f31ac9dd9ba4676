"""Carrier legs: what to pick up and deliver (where from, where to, when, what, how heavy), pick-up
confirmation and delivery with proof (who received it, optionally a photo)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.generic import TemplateView

from apps.core.content_cache import content_cached
from apps.core.errors import form_add_service_error
from apps.core.fragments import fragment_key
from apps.orders.actions import leg_allowed
from apps.orders.models import TransportLeg
from apps.orders.services import transport_leg_deliver, transport_leg_pick_up
from apps.payouts.selectors import statement_for_leg
from apps.portal import legs
from apps.portal.forms import DeliveryForm
from apps.portal.mixins import CarrierPortalView
from apps.portal.views.actions import CardPage, FormRejected
from apps.suppliers.access import Along

BOARD = "portal/carrier/_board.html"


def board_key(carrier_id: int, fingerprint: str, *, asked, now) -> str | None:
    """The board's cache key (None: the page asked for is out of range, the board is drawn and not kept)."""
    drawn_from = legs.board_drawn_from(fingerprint, asked=asked, now=now)
    return None if drawn_from is None else fragment_key(BOARD, (carrier_id, drawn_from))


class LegBoardView(CarrierPortalView, TemplateView):
    template_name = "portal/carrier/legs.html"
    scoped_model = TransportLeg

    def get_template_names(self):
        return [f"{self.template_name}#board" if self.request.htmx else self.template_name]

    def along(self) -> Along:
        # The board's fingerprint is read with the membership: one statement for both.
        return Along(
            sql=legs.board_fingerprint_sql, params=legs.board_page_params(self.request.GET.get("page"))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        context.update(board_html=self.board_html(now), now=now)
        return context

    def board_html(self, now) -> SafeString:
        """The board, kept under the carrier, the fingerprint of every row it is drawn from and what it shows of the
        clock (legs.board_fingerprint_sql, board_key): while they stand, one statement (the membership's, which read
        the fingerprint along) and one cache read; another carrier never reads the entry. Drawn again, from rows
        read in the fingerprint's own snapshot, when anything changed (apps/core/content_cache.py)."""
        carrier_id, asked = self.company.pk, self.request.GET.get("page")

        def draw() -> str:
            board = legs.leg_board(self.scoped(), now=now, delivered_page=asked)
            return render_to_string(BOARD, {"board": board})

        html = content_cached(
            key=lambda fingerprint: board_key(carrier_id, fingerprint, asked=asked, now=now),
            fingerprint=self.along_value,
            fingerprint_sql=legs.board_fingerprint_sql(),
            params=legs.board_fingerprint_params(carrier_id, asked),
            compute=draw,
        )
        return mark_safe(html)  # noqa: S308 - our own template's output, autoescaped


class LegView(CarrierPortalView, CardPage):
    """GET: one leg with its statement. POST …/pick-up/ or …/deliver/."""

    template_name = "portal/carrier/leg_detail.html"
    card = "leg-card"
    object_name = "leg"
    scoped_model = TransportLeg
    actions = {
        "pick-up": ("Could not confirm the pick-up", "pick_up"),
        "deliver": ("Could not confirm the delivery", "deliver"),
    }

    def get_object_for_page(self) -> TransportLeg:
        try:
            return legs.leg_rows(self.scoped()).get(pk=self.kwargs["pk"])
        except (TransportLeg.DoesNotExist, ValueError, TypeError):
            raise Http404("Not found.") from None

    def page_url(self, obj) -> str:
        return reverse("portal:carrier_leg", args=[obj.pk])

    def card_context(self, leg: TransportLeg, **forms) -> dict:
        allowed = leg_allowed(leg)
        return {
            "origin": legs.leg_origin(leg),
            "destination": legs.leg_destination(leg),
            "parts": legs.leg_parts(leg),
            "statement": statement_for_leg(leg),
            "can_pick_up": allowed.can("pick_up"),
            # Instead of a pick-up button that can only be refused: what the leg still waits for.
            "pick_up_waiting_for": allowed.waiting_text,
            "can_deliver": allowed.can("deliver"),
            "delivery_form": forms.get("delivery_form") or DeliveryForm(),
        }

    def _service_kwargs(self, leg: TransportLeg) -> dict:
        return {"leg_id": leg.pk, "actor": self.request.user, "scope": self.scoped()}

    def pick_up(self, leg: TransportLeg) -> str:
        transport_leg_pick_up(**self._service_kwargs(leg))
        return "Pick-up confirmed."

    def deliver(self, leg: TransportLeg) -> str:
        form = DeliveryForm(self.request.POST, self.request.FILES)
        if not form.is_valid():
            raise FormRejected(delivery_form=form)
        try:
            transport_leg_deliver(
                **self._service_kwargs(leg),
                receiver_name=form.cleaned_data["receiver_name"],
                photo=form.cleaned_data.get("photo"),
            )
        except ValidationError as error:
            form_add_service_error(form, error)
            raise FormRejected(delivery_form=form) from None
        return "Delivery confirmed."
