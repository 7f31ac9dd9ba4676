from django.urls import path

from apps.storefront.api import part_quotes, views

app_name = "storefront_api"

urlpatterns = [
    path("quotes/", views.QuoteCreateApi.as_view(), name="quote-create"),
    # An uploaded part's quote needs the matching engine (a layer above uploads): it is routed here.
    path("uploads/<uuid:upload_id>/quote/", part_quotes.PartQuoteApi.as_view(), name="upload-quote"),
]
