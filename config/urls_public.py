"""URLs of the public site (the bare platform domain): sign-up and the SaaS operator's admin."""

from django.urls import path
from django.views.generic import RedirectView

from apps.tenants import views
from apps.tenants.admin import operator_admin_site
from apps.tenants.favicon import favicon

urlpatterns = [
    path("favicon.svg", favicon, name="favicon"),
    path("favicon.ico", RedirectView.as_view(url="/favicon.svg", permanent=True)),
    path("", views.network_signup, name="network_signup"),
    path("sign-in/", views.network_find, name="network_find"),
    path("networks/<slug:slug>/ready/", views.network_created, name="network_created"),
    path("admin/", operator_admin_site.urls),
]

handler400 = "apps.tenants.error_pages.bad_request"
handler403 = "apps.tenants.error_pages.permission_denied"
handler404 = "apps.tenants.error_pages.page_not_found"
handler500 = "apps.tenants.error_pages.server_error"
