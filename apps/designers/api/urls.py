from django.urls import path

from apps.designers.api import earnings, studio, views

app_name = "designers_api"

urlpatterns = [
    path("reviews/", views.ReviewCreateApi.as_view(), name="review-create"),
    path("catalog/templates/<slug:slug>/reviews/", views.ProductReviewsApi.as_view(), name="product-reviews"),
    # the designer's sales and earnings (designer-money)
    path("designer/sales/", earnings.DesignerSalesApi.as_view(), name="designer-sales"),
    path("designer/earnings/", earnings.DesignerEarningsApi.as_view(), name="designer-earnings"),
    path(
        "designer/statements/<int:order_id>/",
        earnings.DesignerStatementApi.as_view(),
        name="designer-statement",
    ),
    # the designer's templates (the studio's API)
    path("designer/templates/", studio.DesignerTemplateListApi.as_view(), name="designer-template-list"),
    path(
        "designer/templates/<int:template_id>/",
        studio.DesignerTemplateDetailApi.as_view(),
        name="designer-template-detail",
    ),
    path(
        "designer/templates/<int:template_id>/submit/",
        studio.DesignerTemplateSubmitApi.as_view(),
        name="designer-template-submit",
    ),
    path(
        "designer/templates/<int:template_id>/versions/",
        studio.DesignerTemplateVersionsApi.as_view(),
        name="designer-template-versions",
    ),
    path(
        "designer/templates/<int:template_id>/retire/",
        studio.DesignerTemplateRetireApi.as_view(),
        name="designer-template-retire",
    ),
]
