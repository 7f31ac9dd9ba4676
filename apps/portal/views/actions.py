"""The plumbing shared by the job and leg pages: one page (full or its card fragment) and one POST per action.

An action handler calls one orders service with the company's scope and returns the success message, or raises
`FormRejected` carrying the bound forms to show again (400, input kept). The service's InvalidTransition (an
action out of order: completing before starting, delivering before picking up, starting before the parts are
there) becomes a 409 with its message on the card; nothing changed, because the service's compare-and-swap refused. htmx requests get the card
fragment back; without JavaScript a successful post redirects to the page (POST + redirect).
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.generic import TemplateView

from apps.orders.status import InvalidTransition


class FormRejected(Exception):
    """The input did not validate (in the form or in the service); `forms` go back to the card bound."""

    def __init__(self, **forms):
        super().__init__("invalid input")
        self.forms = forms


class CardPage(TemplateView):
    """Mix in after a portal base view. Subclasses set template_name, `card` (the partial's name),
    `object_name`, implement `get_object_for_page()` and `card_context(obj)`, and map `actions`."""

    card = ""
    object_name = "object"
    # action slug → (label used in error messages, handler name)
    actions: dict[str, tuple[str, str]] = {}

    def get_object_for_page(self):
        raise NotImplementedError

    def card_context(self, obj, **forms) -> dict:
        raise NotImplementedError

    def page_url(self, obj) -> str:
        raise NotImplementedError

    def render_card(self, obj, *, status: int = 200, error: str = "", **forms) -> TemplateResponse:
        context = self.get_context_data(**{self.object_name: obj, "action_error": error})
        context.update(self.card_context(obj, **forms))
        suffix = f"#{self.card}" if self.request.htmx else ""
        return TemplateResponse(self.request, f"{self.template_name}{suffix}", context, status=status)

    def get(self, request, *args, **kwargs):
        if kwargs.get("action"):
            return HttpResponseNotAllowed(["POST"])
        return self.render_card(self.get_object_for_page())

    def post(self, request, *args, **kwargs):
        obj = self.get_object_for_page()
        action = kwargs.get("action")
        if action not in self.actions:
            raise Http404("No such action.")
        label, handler_name = self.actions[action]
        handler: Callable = getattr(self, handler_name)
        try:
            message = handler(obj)
        except FormRejected as rejected:
            return self.render_card(self.get_object_for_page(), status=400, **rejected.forms)
        except InvalidTransition as error:
            return self.render_card(self.get_object_for_page(), status=409, error=f"{label}: {error}")
        except ObjectDoesNotExist:
            # Left the scope between loading and acting (e.g. re-planned away): as missing as any other.
            raise Http404("Not found.") from None
        messages.success(request, message)
        if request.htmx:
            return self.render_card(self.get_object_for_page())
        return redirect(self.page_url(obj))
