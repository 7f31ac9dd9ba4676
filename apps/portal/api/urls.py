"""Supplier jobs and carrier legs, included under /api/v1/ from config/urls_tenants.py (they read orders and
payouts, which the suppliers app below them may not import)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.portal.api import studio, views

router = SimpleRouter()
router.register("supplier/jobs", views.SupplierJobViewSet, basename="supplier-job")
router.register("carrier/legs", views.CarrierLegViewSet, basename="carrier-leg")

urlpatterns = [
    *router.urls,
    path("designer/templates/", studio.DesignerTemplateListApi.as_view(), name="designer-template-list"),
    path(
        "designer/templates/<int:template_id>/",
        studio.DesignerTemplateDetailApi.as_view(),
        name="designer-template-detail",
    ),
    path(
        "designer/templates/<int:template_id>/submit/",
        studio.DesignerTemplateSubmitApi.as_view(),
        name="designer-template-submit",
    ),
    path(
        "designer/templates/<int:template_id>/versions/",
        studio.DesignerTemplateVersionsApi.as_view(),
        name="designer-template-versions",
    ),
    path(
        "designer/templates/<int:template_id>/retire/",
        studio.DesignerTemplateRetireApi.as_view(),
        name="designer-template-retire",
    ),
]
