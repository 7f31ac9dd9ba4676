"""Supplier portal under /portal/, carrier portal under /portal/carrier/, and the public apply page."""

from django.urls import path

from apps.portal.views import apply, calendar, carrier, earnings, jobs, legs, members, payouts, supplier

app_name = "portal"

urlpatterns = [
    path("apply/", apply.apply, name="apply"),
    path("invitations/<str:token>/", members.InvitationAcceptView.as_view(), name="invitation_accept"),
    # supplier
    path("", supplier.DashboardView.as_view(), name="dashboard"),
    path("resources/", supplier.ResourceListView.as_view(), name="resources"),
    path("resources/new/", supplier.ResourceFormView.as_view(), name="resource_create"),
    path("resources/<int:pk>/edit/", supplier.ResourceFormView.as_view(), name="resource_edit"),
    path("resources/<int:pk>/calendar/", calendar.ResourceCalendarView.as_view(), name="resource_calendar"),
    path("profile/", supplier.ProfileView.as_view(), name="profile"),
    path("certifications/", supplier.CertificationsView.as_view(), name="certifications"),
    path(
        "certifications/<int:pk>/delete/",
        supplier.CertificationDeleteView.as_view(),
        name="certification_delete",
    ),
    path("jobs/", jobs.JobInboxView.as_view(), name="jobs"),
    path("jobs/<int:pk>/", jobs.JobView.as_view(), name="job"),
    path("jobs/<int:pk>/drawing.svg", jobs.JobPartDrawingView.as_view(), name="job_part_drawing"),
    path("jobs/<int:pk>/<slug:action>/", jobs.JobView.as_view(), name="job_action"),
    path("earnings/", earnings.SupplierEarningsView.as_view(), name="earnings"),
    path("members/", members.SupplierMembersView.as_view(), name="members"),
    path("members/<int:pk>/remove/", members.SupplierMemberRemoveView.as_view(), name="member_remove"),
    path(
        "members/invitations/<int:pk>/revoke/",
        members.SupplierInvitationRevokeView.as_view(),
        name="invitation_revoke",
    ),
    path("payouts/", payouts.SupplierPayoutsSetupView.as_view(), name="payouts_setup"),
    path("payouts/return/", payouts.SupplierPayoutsReturnView.as_view(), name="payouts_return"),
    path("payouts/refresh/", payouts.SupplierPayoutsRefreshView.as_view(), name="payouts_refresh"),
    # carrier
    path("carrier/", carrier.CarrierDashboardView.as_view(), name="carrier_dashboard"),
    path("carrier/rate-card/", carrier.RateCardEditView.as_view(), name="carrier_rate_card"),
    path("carrier/coverage/", carrier.CoverageEditView.as_view(), name="carrier_coverage"),
    path("carrier/legs/", legs.LegBoardView.as_view(), name="carrier_legs"),
    path("carrier/legs/<int:pk>/", legs.LegView.as_view(), name="carrier_leg"),
    path("carrier/legs/<int:pk>/<slug:action>/", legs.LegView.as_view(), name="carrier_leg_action"),
    path("carrier/earnings/", earnings.CarrierEarningsView.as_view(), name="carrier_earnings"),
    path("carrier/members/", members.CarrierMembersView.as_view(), name="carrier_members"),
    path(
        "carrier/members/<int:pk>/remove/",
        members.CarrierMemberRemoveView.as_view(),
        name="carrier_member_remove",
    ),
    path(
        "carrier/members/invitations/<int:pk>/revoke/",
        members.CarrierInvitationRevokeView.as_view(),
        name="carrier_invitation_revoke",
    ),
    path("carrier/payouts/", payouts.CarrierPayoutsSetupView.as_view(), name="carrier_payouts_setup"),
    path(
        "carrier/payouts/return/", payouts.CarrierPayoutsReturnView.as_view(), name="carrier_payouts_return"
    ),
    path(
        "carrier/payouts/refresh/",
        payouts.CarrierPayoutsRefreshView.as_view(),
        name="carrier_payouts_refresh",
    ),
]
