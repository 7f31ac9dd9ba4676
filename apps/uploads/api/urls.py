from django.urls import path

from apps.uploads.api import quotes, views

app_name = "uploads_api"

urlpatterns = [
    path("uploads/", views.UploadListCreateApi.as_view(), name="upload-list"),
    path("uploads/<uuid:upload_id>/", views.UploadDetailApi.as_view(), name="upload-detail"),
    path("uploads/<uuid:upload_id>/units/", views.UploadUnitsApi.as_view(), name="upload-units"),
    path("uploads/<uuid:upload_id>/repair/", views.UploadRepairApi.as_view(), name="upload-repair"),
    path("uploads/<uuid:upload_id>/options/", quotes.PartOptionsApi.as_view(), name="upload-options"),
    path("uploads/<uuid:upload_id>/design/", quotes.PartDesignSaveApi.as_view(), name="upload-design"),
    # The quote (POST uploads/<id>/quote/) needs the matching engine: apps/storefront/api/part_quotes.py.
]
