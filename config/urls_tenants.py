"""URLs of one network's host (<slug>.<platform domain>)."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.core.media import tenant_media
from apps.tenants.favicon import favicon

admin.site.site_header = "Cloud Factory — network admin"

api_v1 = [
    path("", include("apps.accounts.api.urls")),
    path("", include("apps.catalog.api.urls")),
    path("", include("apps.suppliers.api.urls")),
    path("", include("apps.portal.api.urls")),
    path("", include("apps.storefront.api.urls")),
    path("", include("apps.orders.api.urls")),
    path("", include("apps.uploads.api.urls")),
    path("", include("apps.designers.api.urls")),
]

urlpatterns = [
    path("favicon.svg", favicon, name="favicon"),
    path("favicon.ico", RedirectView.as_view(url="/favicon.svg", permanent=True)),
    path("", include("apps.storefront.urls")),
    path("accounts/", include("apps.accounts.urls")),
    path("portal/", include("apps.portal.urls")),
    path("backoffice/", include("apps.backoffice.urls")),
    path("", include("apps.designers.urls")),
    path("", include("apps.payouts.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("media/<str:schema>/<path:path>", tenant_media, name="tenant-media"),
]

if settings.BENCH_FLOOR_PAGE:
    urlpatterns += [path("", include("apps.demo.pages.floor"))]

handler400 = "apps.tenants.error_pages.bad_request"
handler403 = "apps.tenants.error_pages.permission_denied"
handler404 = "apps.tenants.error_pages.page_not_found"
handler500 = "apps.tenants.error_pages.server_error"
