from django.urls import path

from apps.orders.api import views

app_name = "orders_api"

urlpatterns = [
    path("cart/", views.CartApi.as_view(), name="cart"),
    path("cart/lines/", views.CartLinesApi.as_view(), name="cart-lines"),
    path("cart/lines/<int:line_id>/", views.CartLineApi.as_view(), name="cart-line"),
    path("cart/quote/", views.CartQuoteApi.as_view(), name="cart-quote"),
    path("orders/", views.OrderListCreateApi.as_view(), name="order-list"),
    path("orders/<int:order_id>/", views.OrderDetailApi.as_view(), name="order-detail"),
    path("orders/<int:order_id>/pay/", views.OrderPayApi.as_view(), name="order-pay"),
    path("orders/<int:order_id>/cancel/", views.OrderCancelApi.as_view(), name="order-cancel"),
    path(
        "orders/<int:order_id>/refund-request/",
        views.OrderRefundRequestApi.as_view(),
        name="order-refund-request",
    ),
]
