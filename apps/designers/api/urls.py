from django.urls import path

from apps.designers.api import cad_products, earnings, studio, views

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
    # the designer's CAD products: an uploaded part as a fixed product (submit/versions/retire: the templates')
    path(
        "designer/cad-products/",
        cad_products.DesignerCadProductListApi.as_view(),
        name="designer-cad-products",
    ),
    path(
        "designer/cad-products/<int:template_id>/",
        cad_products.DesignerCadProductDetailApi.as_view(),
        name="designer-cad-product",
    ),
    path(
        "designer/cad-products/<int:template_id>/options/",
        cad_products.DesignerCadProductOptionsApi.as_view(),
        name="designer-cad-product-options",
    ),
    path(
        "designer/cad-products/<int:template_id>/quote/",
        cad_products.DesignerCadProductQuoteApi.as_view(),
        name="designer-cad-product-quote",
    ),
]
