from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template import loader

from apps.accounts import throttle
from apps.accounts.models import EMAIL_MAX_LENGTH, User
from apps.outbox.services import outbox_enqueue_email


class ThrottleMessageMixin:
    """Says "too many attempts, try again in N minutes" instead of "wrong e-mail or password" when the
    authentication backend refused the attempt because of the failed sign-in throttle."""

    def get_invalid_login_error(self):
        remaining = getattr(self.request, "login_locked_for", 0)
        if remaining:
            return forms.ValidationError(throttle.lockout_message(remaining), code="throttled")
        return super().get_invalid_login_error()


class ThrottledAdminAuthenticationForm(ThrottleMessageMixin, AdminAuthenticationForm):
    """The login form of the network admin and of the operator admin."""


class EmailAuthenticationForm(ThrottleMessageMixin, AuthenticationForm):
    username = forms.EmailField(
        label="E-mail",
        max_length=EMAIL_MAX_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's reset form, with the link written to the outbox like every other e-mail (a mail server outage
    delays the link instead of failing the page)."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **_):
        outbox_enqueue_email(
            to=[to_email],
            subject="".join(loader.render_to_string(subject_template_name, context).splitlines()),
            body=loader.render_to_string(email_template_name, context),
        )


class PasswordAskedAgainMixin:
    """A sign-up form that comes back with an error elsewhere (a taken subdomain, a mistyped e-mail) never sends
    the typed password back to the page; the empty field then says why it is empty and asks for it again."""

    password_field = "password"  # noqa: S105 - a field name
    ASK_AGAIN = "Type your password again: it is never sent back to the page, so it was cleared."

    def add_error(self, field, error):
        super().add_error(field, error)
        name = self.password_field
        if self.data.get(self.add_prefix(name)) and name not in self._errors:
            self.fields[name].help_text = self.ASK_AGAIN
            self.fields[name].widget.attrs["class"] = "asked-again"
            self[
                name
            ].help_text = self.ASK_AGAIN  # the bound field copied the help text when validation made it


class CustomerSignupForm(PasswordAskedAgainMixin, forms.Form):
    full_name = forms.CharField(label="Full name", max_length=150)
    email = forms.EmailField(
        label="E-mail", max_length=EMAIL_MAX_LENGTH, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label="Password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean_email(self):
        return self.cleaned_data["email"].lower()

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            candidate = User(email=cleaned.get("email", ""), full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class ApiTokenForm(forms.Form):
    EXPIRY_CHOICES = [("30", "30 days"), ("90", "90 days"), ("365", "1 year"), ("", "Never")]

    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What will use it, e.g. “MES line 2” or “nightly export”.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    expires_in_days = forms.TypedChoiceField(
        label="Expires after",
        choices=EXPIRY_CHOICES,
        initial="90",
        required=False,
        coerce=int,
        empty_value=None,
    )
