"""Supplier and carrier API, included under /api/v1/ (token or session authentication)."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from apps.suppliers.api import members, views

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
    path("supplier/members/", members.SupplierMemberListView.as_view(), name="supplier-members"),
    path("supplier/members/<int:pk>/", members.SupplierMemberDetailView.as_view(), name="supplier-member"),
    path("supplier/invitations/", members.SupplierInvitationListView.as_view(), name="supplier-invitations"),
    path(
        "supplier/invitations/<int:pk>/",
        members.SupplierInvitationDetailView.as_view(),
        name="supplier-invitation",
    ),
    path("carrier/members/", members.CarrierMemberListView.as_view(), name="carrier-members"),
    path("carrier/members/<int:pk>/", members.CarrierMemberDetailView.as_view(), name="carrier-member"),
    path("carrier/invitations/", members.CarrierInvitationListView.as_view(), name="carrier-invitations"),
    path(
        "carrier/invitations/<int:pk>/",
        members.CarrierInvitationDetailView.as_view(),
        name="carrier-invitation",
    ),
    path("invitations/accept/", members.InvitationAcceptView.as_view(), name="invitation-accept"),
    path("carrier/profile/", views.CarrierProfileView.as_view(), name="carrier-profile"),
    path("carrier/rate-card/", views.RateCardView.as_view(), name="carrier-rate-card"),
    path("", include(router.urls)),
]
