"""Supplier jobs and carrier legs, included under /api/v1/ from config/urls_tenants.py (they read orders and
payouts, which the suppliers app below them may not import)."""

from rest_framework.routers import SimpleRouter

from apps.portal.api import views

router = SimpleRouter()
router.register("supplier/jobs", views.SupplierJobViewSet, basename="supplier-job")
router.register("carrier/legs", views.CarrierLegViewSet, basename="carrier-leg")

urlpatterns = router.urls
