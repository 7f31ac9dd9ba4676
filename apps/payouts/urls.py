from django.urls import path

from apps.payouts.webhooks import views

app_name = "payouts"

urlpatterns = [
    path("stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
    path("stripe/webhook/connect/", views.stripe_connect_webhook, name="stripe_connect_webhook"),
]
