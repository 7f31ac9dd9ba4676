from django.urls import path

from apps.designers.api import views

app_name = "designers_api"

urlpatterns = [
    path("reviews/", views.ReviewCreateApi.as_view(), name="review-create"),
    path("catalog/templates/<slug:slug>/reviews/", views.ProductReviewsApi.as_view(), name="product-reviews"),
]
