"""URLs of the public site (the bare platform domain): sign-up and the SaaS operator's admin."""

from django.urls import path

from apps.tenants import views
from apps.tenants.admin import operator_admin_site

urlpatterns = [
    path("", views.network_signup, name="network_signup"),
    path("networks/<slug:slug>/ready/", views.network_created, name="network_created"),
    path("admin/", operator_admin_site.urls),
]
