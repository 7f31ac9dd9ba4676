from django.urls import path

from apps.storefront.api import part_quotes, studio, views

app_name = "storefront_api"

urlpatterns = [
    path("quotes/", views.QuoteCreateApi.as_view(), name="quote-create"),
    # An uploaded part's quote needs the matching engine (a layer above uploads): it is routed here.
    path("uploads/<uuid:upload_id>/quote/", part_quotes.PartQuoteApi.as_view(), name="upload-quote"),
    # The designer's templates (the studio's API): routed here beside the studio pages.
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
