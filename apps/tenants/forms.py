from django import forms
from django.contrib.auth import password_validation

from apps.accounts.forms import PasswordAskedAgainMixin
from apps.accounts.models import EMAIL_MAX_LENGTH, User
from apps.core.currencies import chargeable_currencies, currency_label

COMMON_CURRENCIES = ["EUR", "USD", "GBP", "CHF", "SEK", "DKK", "PLN", "JPY", "KWD"]


class NetworkSignupForm(PasswordAskedAgainMixin, forms.Form):
    password_field = "admin_password"  # noqa: S105 - a field name

    name = forms.CharField(label="Network name", max_length=100)
    subdomain = forms.CharField(
        label="Subdomain",
        max_length=40,
        help_text="Your storefront will live at <subdomain>.localhost. Lower-case letters, digits and hyphens.",
    )
    currency = forms.ChoiceField(label="Currency")
    admin_name = forms.CharField(
        label="Your name",
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    admin_email = forms.EmailField(
        label="Admin e-mail",
        max_length=EMAIL_MAX_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    admin_password = forms.CharField(
        label="Admin password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only current currencies Stripe can charge in: not every ISO 4217 code (no DEM, no XAU, no ANG);
        # tenant_create checks it too.
        others = [code for code in chargeable_currencies() if code not in COMMON_CURRENCIES]
        self.fields["currency"].choices = [
            (code, currency_label(code)) for code in COMMON_CURRENCIES + others
        ]
        self.fields["currency"].initial = "EUR"

    def clean_subdomain(self):
        return self.cleaned_data["subdomain"].strip()

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("admin_password")
        if password:
            try:
                password_validation.validate_password(password, User(email=cleaned.get("admin_email", "")))
            except forms.ValidationError as error:
                self.add_error("admin_password", error)
        return cleaned


class NetworkFindForm(forms.Form):
    network = forms.CharField(
        label="Your network's name or subdomain",
        max_length=100,
        help_text="The name it was created with, or the first part of its address (oak-iron in oak-iron.localhost).",
        widget=forms.TextInput(attrs={"autocomplete": "organization", "autocapitalize": "none"}),
    )


class TenantDeleteForm(forms.Form):
    confirm_slug = forms.CharField(label="Type the network's subdomain to confirm")
