"""Supplier and carrier API, included under /api/v1/ (token or session authentication)."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from apps.suppliers.api import views

router = SimpleRouter()
router.register("supplier/resources", views.ResourceViewSet, basename="supplier-resource")
router.register(
    r"supplier/resources/(?P<resource_pk>\d+)/opening-hours",
    views.OpeningHoursViewSet,
    basename="supplier-opening-hours",
)
router.register(
    r"supplier/resources/(?P<resource_pk>\d+)/exceptions",
    views.CalendarExceptionViewSet,
    basename="supplier-calendar-exception",
)

urlpatterns = [
    path("supplier/profile/", views.SupplierProfileView.as_view(), name="supplier-profile"),
    path(
        "supplier/resources/<int:resource_pk>/closed/",
        views.ResourceClosedView.as_view(),
        name="supplier-resource-closed",
    ),
    path("carrier/profile/", views.CarrierProfileView.as_view(), name="carrier-profile"),
    path("carrier/rate-card/", views.RateCardView.as_view(), name="carrier-rate-card"),
    path("", include(router.urls)),
]
