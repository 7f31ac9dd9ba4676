from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.hashers import make_password
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_http_methods

from apps.accounts.backends import SESSION_BACKEND
from apps.accounts.confirmation import (
    ConfirmationLinkInvalid,
    confirmation_link_send,
    confirmation_user_get,
    pending_user_by_email,
    user_email_confirm,
)
from apps.accounts.forms import CustomerSignupForm, EmailAuthenticationForm, OutboxPasswordResetForm
from apps.accounts.roles import Role
from apps.accounts.services import EmailInUse, account_exists_note, user_create
from apps.accounts.throttle import (
    password_reset_request_record,
    reset_wait_message,
    signup_throttled,
    throttled_response,
)
from apps.accounts.workspaces import workspace_landing


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def get_success_url(self):
        """The page that asked for the sign-in (a safe `next`), else the person's own workspace."""
        return self.get_redirect_url() or workspace_landing(self.request.user)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        remaining = getattr(self.request, "login_locked_for", 0)
        if remaining:
            # Throttled (apps/accounts/throttle.py): the form says so; scripts get the status and when to retry.
            return throttled_response(response, remaining)
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    form_class = OutboxPasswordResetForm
    email_template_name = "email/accounts/password_reset.txt"
    subject_template_name = "email/accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        verdict = password_reset_request_record(request=self.request, email=form.cleaned_data["email"])
        if verdict.wait_s:
            form.add_error(None, reset_wait_message(verdict.wait_s))
            return throttled_response(self.form_invalid(form), verdict.wait_s)
        if not verdict.send:
            # Same answer as a sent link: the page never tells whether, or how often, an address was mailed.
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


def _confirm_url_for(request):
    return lambda token: request.build_absolute_uri(reverse("accounts:signup_confirm", args=[token]))


def signup_confirmation_sent(request, *, user):
    """The answer to a sign-up or application that made a new account: the confirmation link goes out and the
    page says "check your e-mail", as for an address that already has an account (`signup_email_in_use`)."""
    confirmation_link_send(
        user=user, confirm_url_for=_confirm_url_for(request), network_name=request.tenant.name
    )
    return redirect("accounts:signup_check_email")


def signup_email_in_use(request, *, email: str, password: str):
    """The answer to a sign-up or application with an e-mail that already has an account: the same page as for
    a new address (never "already registered"). The owner gets a note, or, if the account still waits for its
    confirmation, a fresh link."""
    make_password(password)  # a new address costs one password hash; so does this one, or timing would tell
    if (pending := pending_user_by_email(email)) is not None:
        return signup_confirmation_sent(request, user=pending)
    account_exists_note(
        email=email,
        network_name=request.tenant.name,
        sign_in_url=request.build_absolute_uri(reverse("accounts:login")),
        reset_url=request.build_absolute_uri(reverse("accounts:password_reset")),
    )
    return redirect("accounts:signup_check_email")


@require_http_methods(["GET", "POST"])
def signup(request):
    form = CustomerSignupForm(request.POST or None)
    wait = 0
    if request.method == "POST" and form.is_valid():
        wait = signup_throttled(request, form, email=form.cleaned_data["email"])
    if request.method == "POST" and form.is_valid() and not wait:
        try:
            user = user_create(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                full_name=form.cleaned_data["full_name"],
                role=Role.CUSTOMER,
                email_confirmation_pending=True,
            )
        except EmailInUse:
            return signup_email_in_use(
                request, email=form.cleaned_data["email"], password=form.cleaned_data["password"]
            )
        return signup_confirmation_sent(request, user=user)
    response = render(request, "accounts/signup.html", {"form": form}, status=400 if form.errors else 200)
    return throttled_response(response, wait) if wait else response


@require_http_methods(["GET", "POST"])
def signup_confirm(request, token: str):
    """GET shows a button and changes nothing (mail scanners open links); POST activates and signs in."""
    try:
        user = user_email_confirm(token=token) if request.method == "POST" else confirmation_user_get(token)
    except ConfirmationLinkInvalid:
        return render(request, "accounts/signup_confirm.html", {"invalid": True}, status=400)
    if request.method == "GET":
        return render(request, "accounts/signup_confirm.html", {"email": user.email})
    login(request, user, backend=SESSION_BACKEND)
    messages.success(request, f"Your e-mail is confirmed. Welcome to {request.tenant.name}!")
    return redirect(workspace_landing(user))
