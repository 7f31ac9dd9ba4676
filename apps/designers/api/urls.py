from django.urls import path

from apps.designers.api import earnings, views

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
]
