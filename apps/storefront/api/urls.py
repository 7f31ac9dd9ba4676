from django.urls import path

from apps.storefront.api import views

app_name = "storefront_api"

urlpatterns = [
    path("quotes/", views.QuoteCreateApi.as_view(), name="quote-create"),
]
