from django.contrib.auth import views as auth_views
from django.urls import path
from django.views.generic import TemplateView

from apps.accounts import account_views, views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", views.signup, name="signup"),
    path(
        "signup/check-email/",
        TemplateView.as_view(template_name="accounts/signup_check_email.html"),
        name="signup_check_email",
    ),
    path("signup/confirm/<str:token>/", views.signup_confirm, name="signup_confirm"),
    path("me/", account_views.account, name="account"),
    path("me/tokens/<int:pk>/revoke/", account_views.token_revoke_view, name="token_revoke"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path("reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]
