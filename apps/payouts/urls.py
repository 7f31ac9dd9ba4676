from django.urls import path

from apps.payouts.webhooks import views

app_name = "payouts"

urlpatterns = [
    path("stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
]
