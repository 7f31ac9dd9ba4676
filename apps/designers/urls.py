"""Designers: the public pages under /designers/ and the designer portal under /designer/ (each of the three
slices of the designers' work adds its own lines here)."""

from django.urls import path

from apps.designers.views import earnings, portal, public, reviews
from apps.designers.views.studio import cad as studio_cad
from apps.designers.views.studio import pages as studio

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
    # the designer's earnings (designer-money)
    path("designer/earnings/", earnings.EarningsView.as_view(), name="earnings"),
    path(
        "designer/earnings/statements/<int:order_id>/",
        earnings.StatementView.as_view(),
        name="earnings_statement",
    ),
    # the studio: products and their versions (apps/designers/views/studio/)
    path("designer/studio/", studio.studio_home, name="studio"),
    path("designer/studio/new/", studio.studio_new, name="studio_new"),
    path("designer/studio/<int:template_id>/", studio.studio_edit, name="studio_edit"),
    path("designer/studio/<int:template_id>/preview/", studio.studio_preview, name="studio_preview"),
    path("designer/studio/<int:template_id>/coverage/", studio.studio_coverage, name="studio_coverage"),
    path("designer/studio/<int:template_id>/submit/", studio.studio_submit, name="studio_submit"),
    path(
        "designer/studio/<int:template_id>/new-version/", studio.studio_new_version, name="studio_new_version"
    ),
    path("designer/studio/<int:template_id>/retire/", studio.studio_retire, name="studio_retire"),
    path("designer/studio/<int:template_id>/discard/", studio.studio_discard, name="studio_discard"),
    # the studio's CAD products: an uploaded part as a fixed product (apps/designers/views/studio/cad.py)
    path("designer/studio/cad/new/", studio_cad.studio_cad_new, name="studio_cad_new"),
    path("designer/studio/cad/<int:template_id>/", studio_cad.studio_cad_edit, name="studio_cad_edit"),
    path(
        "designer/studio/cad/<int:template_id>/preview/",
        studio_cad.studio_cad_preview,
        name="studio_cad_preview",
    ),
    path(
        "designer/studio/cad/<int:template_id>/units/", studio_cad.studio_cad_units, name="studio_cad_units"
    ),
    path(
        "designer/studio/cad/<int:template_id>/repair/",
        studio_cad.studio_cad_repair,
        name="studio_cad_repair",
    ),
    path(
        "designer/studio/cad/<int:template_id>/drawing.svg",
        studio_cad.studio_cad_drawing,
        name="studio_cad_drawing",
    ),
]
