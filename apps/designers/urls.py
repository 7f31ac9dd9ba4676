"""Designers: the public pages under /designers/ and the designer portal under /designer/ (each of the three
slices of the designers' work adds its own lines here)."""

from django.urls import path

from apps.designers.views import portal, public, reviews

app_name = "designers"

urlpatterns = [
    # public
    path("designers/apply/", public.apply, name="apply"),
    path("designers/<slug:slug>/", public.designer_page, name="designer_page"),
    # customers' reviews of what they received
    path("reviews/order-lines/<int:line_id>/", reviews.review_create, name="review_create"),
    # the designer portal
    path("designer/", portal.HomeView.as_view(), name="home"),
    path("designer/payouts/", portal.PayoutsSetupView.as_view(), name="payouts_setup"),
    path("designer/payouts/return/", portal.PayoutsReturnView.as_view(), name="payouts_return"),
    path("designer/payouts/refresh/", portal.PayoutsRefreshView.as_view(), name="payouts_refresh"),
]
