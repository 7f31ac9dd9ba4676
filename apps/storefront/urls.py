from django.urls import include, path

from apps.storefront import views

app_name = "storefront"

urlpatterns = [
    path("", views.home, name="home"),
    path("catalog/", views.catalog, name="catalog"),
    path("catalog/<slug:slug>/", views.configurator, name="configurator"),
    path("catalog/<slug:slug>/validate/", views.configurator_validate, name="configurator_validate"),
    path("catalog/<slug:slug>/preview.svg", views.configurator_preview, name="configurator_preview"),
    path("designs/", views.design_list, name="design_list"),
    path("designs/shared/<str:token>/", views.design_shared, name="design_shared"),
    path("designs/<int:design_id>/", views.design_detail, name="design_detail"),
    path("designs/<int:design_id>/edit/", views.design_edit, name="design_edit"),
    # Cart, checkout and orders (apps/storefront/views_orders.py).
    path("", include("apps.storefront.urls_orders")),
]
