from django.urls import path

from apps.uploads.api import views

app_name = "uploads_api"

urlpatterns = [
    path("uploads/", views.UploadListCreateApi.as_view(), name="upload-list"),
    path("uploads/<uuid:upload_id>/", views.UploadDetailApi.as_view(), name="upload-detail"),
    path("uploads/<uuid:upload_id>/units/", views.UploadUnitsApi.as_view(), name="upload-units"),
    path("uploads/<uuid:upload_id>/repair/", views.UploadRepairApi.as_view(), name="upload-repair"),
    # part-quotes: the options and the quote of an upload (apps/uploads/api/quotes.py) are added here.
]
