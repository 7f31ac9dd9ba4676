"""The designer studio under /designer/studio/."""

from django.urls import path

from apps.storefront.studio import views

app_name = "studio"

urlpatterns = [
    path("", views.studio_home, name="home"),
    path("new/", views.studio_new, name="new"),
    path("<int:template_id>/", views.studio_edit, name="edit"),
    path("<int:template_id>/preview/", views.studio_preview, name="preview"),
    path("<int:template_id>/coverage/", views.studio_coverage, name="coverage"),
    path("<int:template_id>/submit/", views.studio_submit, name="submit"),
    path("<int:template_id>/new-version/", views.studio_new_version, name="new_version"),
    path("<int:template_id>/retire/", views.studio_retire, name="retire"),
    path("<int:template_id>/discard/", views.studio_discard, name="discard"),
]
