"""Cart, checkout, payment and order pages (included by apps/storefront/urls.py, in the storefront namespace)."""

from django.urls import path

from apps.storefront import views_orders

urlpatterns = [
    path("cart/", views_orders.cart_view, name="cart"),
    path("cart/add/", views_orders.cart_add, name="cart_add"),
    path("cart/lines/<int:line_id>/", views_orders.cart_line_update, name="cart_line"),
    path("cart/address/", views_orders.cart_address, name="cart_address"),
    path("cart/quote/", views_orders.cart_quote, name="cart_quote"),
    path("checkout/", views_orders.checkout_place, name="checkout_place"),
    path("orders/", views_orders.order_list, name="order_list"),
    path("orders/<int:order_id>/", views_orders.order_detail, name="order_detail"),
    path("orders/<int:order_id>/pay/", views_orders.order_pay, name="order_pay"),
    path("orders/<int:order_id>/cancel/", views_orders.order_cancel, name="order_cancel"),
    path(
        "orders/<int:order_id>/refund-request/",
        views_orders.order_refund_request,
        name="order_refund_request",
    ),
]
