"""The designer portal's own pages: home (products and next steps) and Stripe Connect onboarding (the portals'
payout setup views, on the designer)."""

from django.urls import reverse
from django.views.generic import TemplateView

from apps.designers.reviews import rating_of_designer
from apps.designers.selectors import designer_next_steps, designer_products_all
from apps.designers.views.mixins import DesignerPortalView
from apps.portal.views.payouts import PayoutsRefreshPage, PayoutsReturnPage, PayoutsSetupPage
from apps.suppliers.status import MemberRole


class HomeView(DesignerPortalView, TemplateView):
    template_name = "designers/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        products = designer_products_all(designer=self.company)
        steps = designer_next_steps(
            designer=self.company, is_owner=self.member.role == MemberRole.OWNER, has_products=bool(products)
        )
        context.update(
            products=products,
            next_steps=[(step.text, reverse(step.url_name) if step.url_name else "") for step in steps],
            rating=rating_of_designer(designer=self.company),
        )
        return context


class PayoutsSetupView(DesignerPortalView, PayoutsSetupPage):
    url_prefix = "designers:"
    owner_only = True


class PayoutsReturnView(DesignerPortalView, PayoutsReturnPage):
    url_prefix = "designers:"
    owner_only = True


class PayoutsRefreshView(DesignerPortalView, PayoutsRefreshPage):
    url_prefix = "designers:"
    owner_only = True
