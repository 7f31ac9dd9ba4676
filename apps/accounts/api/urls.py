"""Account API, included under /api/v1/."""

from django.urls import path

from apps.accounts.api import views

urlpatterns = [
    path("account/tokens/", views.ApiTokenListView.as_view(), name="account-tokens"),
    path("account/tokens/<int:pk>/", views.ApiTokenDetailView.as_view(), name="account-token"),
]
