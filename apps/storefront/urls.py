from django.urls import path

from apps.storefront.views import cad_products, catalog, orders, uploads

app_name = "storefront"

urlpatterns = [
    path("", catalog.home, name="home"),
    path("catalog/", catalog.catalog, name="catalog"),
    path("catalog/<slug:slug>/", catalog.configurator, name="configurator"),
    path("catalog/<slug:slug>/validate/", catalog.configurator_validate, name="configurator_validate"),
    path("catalog/<slug:slug>/preview.svg", catalog.configurator_preview, name="configurator_preview"),
    path("catalog/<slug:slug>/drawing.svg", cad_products.cad_product_drawing, name="cad_product_drawing"),
    path("designs/", catalog.design_list, name="design_list"),
    path("designs/shared/<str:token>/", catalog.design_shared, name="design_shared"),
    path("designs/<int:design_id>/", catalog.design_detail, name="design_detail"),
    path("designs/<int:design_id>/edit/", catalog.design_edit, name="design_edit"),
    # The customer's own uploaded parts (CAD files).
    path("parts/", uploads.part_list, name="part_list"),
    path("parts/upload/", uploads.part_upload, name="part_upload"),
    path("parts/<uuid:upload_id>/", uploads.part_detail, name="part_detail"),
    path("parts/<uuid:upload_id>/units/", uploads.part_units, name="part_units"),
    path("parts/<uuid:upload_id>/repair/", uploads.part_repair, name="part_repair"),
    path("parts/<uuid:upload_id>/quote/", uploads.part_quote_view, name="part_quote"),
    path("parts/<uuid:upload_id>/drawing.svg", uploads.part_drawing, name="part_drawing"),
    # Cart, checkout, payment and orders.
    path("cart/", orders.cart_view, name="cart"),
    path("cart/add/", orders.cart_add, name="cart_add"),
    path("cart/lines/<int:line_id>/", orders.cart_line_update, name="cart_line"),
    path("cart/address/", orders.cart_address, name="cart_address"),
    path("cart/quote/", orders.cart_quote, name="cart_quote"),
    path("checkout/", orders.checkout_place, name="checkout_place"),
    path("orders/", orders.order_list, name="order_list"),
    path("orders/<int:order_id>/", orders.order_detail, name="order_detail"),
    path("orders/<int:order_id>/pay/", orders.order_pay, name="order_pay"),
    path("orders/<int:order_id>/cancel/", orders.order_cancel, name="order_cancel"),
    path(
        "orders/<int:order_id>/refund-request/",
        orders.order_refund_request,
        name="order_refund_request",
    ),
]
