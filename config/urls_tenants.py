"""URLs of one network's host (<slug>.<platform domain>)."""

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Cloud Factory — network admin"

urlpatterns = [
    path("", include("apps.storefront.urls")),
    path("accounts/", include("apps.accounts.urls")),
    path("admin/", admin.site.urls),
]
