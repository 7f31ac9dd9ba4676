from django.urls import path

from apps.catalog.api import reviews, views

app_name = "catalog_api"

urlpatterns = [
    path("catalog/templates/", views.TemplateListApi.as_view(), name="template-list"),
    path("catalog/templates/<slug:slug>/", views.TemplateDetailApi.as_view(), name="template-detail"),
    path("catalog/reviews/", reviews.ReviewQueueApi.as_view(), name="review-list"),
    path("catalog/reviews/<int:template_id>/", reviews.ReviewDetailApi.as_view(), name="review-detail"),
    path(
        "catalog/reviews/<int:template_id>/decision/",
        reviews.ReviewDecisionApi.as_view(),
        name="review-decision",
    ),
    path("designs/", views.DesignListCreateApi.as_view(), name="design-list"),
    path("designs/validate/", views.DesignValidateApi.as_view(), name="design-validate"),
    path("designs/<int:design_id>/", views.DesignDetailApi.as_view(), name="design-detail"),
]
