"""Forms of the cart, checkout, payment and refund pages. Business rules stay in orders' services."""

from babel import Locale
from django import forms

from apps.core.countries import ISO_3166_ALPHA2
from apps.core.money_fields import MinorUnitsField


class CartAddForm(forms.Form):
    design_version = forms.UUIDField()
    quantity = forms.IntegerField(min_value=1, max_value=100, initial=1, required=False)


class CartLineForm(forms.Form):
    quantity = forms.IntegerField(min_value=0, max_value=100, help_text="0 removes the line.")


def country_choices() -> list[tuple[str, str]]:
    names = Locale("en").territories
    return sorted(((code, names.get(code, code)) for code in ISO_3166_ALPHA2), key=lambda choice: choice[1])


class AddressForm(forms.Form):
    """Where the goods go, as people write it: the town is looked up (apps.core.gazetteer), never typed as
    coordinates."""

    recipient_name = forms.CharField(label="Recipient", max_length=150)
    recipient_phone = forms.CharField(
        label="Phone for the driver",
        max_length=40,
        required=False,
        help_text="Optional: the recipient's number, called if the driver cannot find the address.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    address_line = forms.CharField(label="Street and number", max_length=200)
    postcode = forms.CharField(max_length=12, required=False)
    city = forms.CharField(label="Town or city", max_length=100)
    country = forms.ChoiceField(choices=country_choices, initial="NL")
    requested_delivery_date = forms.DateField(
        label="Wished-for delivery date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Optional. We plan to meet it when the network can.",
    )


class PlaceOrderForm(forms.Form):
    checkout_key = forms.UUIDField(widget=forms.HiddenInput)
    seen_total_minor = forms.IntegerField(widget=forms.HiddenInput)
    seen_delivery_date = forms.DateField(widget=forms.HiddenInput)
    delivery_option = forms.CharField(widget=forms.HiddenInput, required=False, max_length=10)


class CardForm(forms.Form):
    """Local mode only: a test card number stands for one of Stripe's test payment methods."""

    card_number = forms.CharField(
        label="Card number",
        max_length=23,
        widget=forms.TextInput(attrs={"autocomplete": "cc-number", "inputmode": "numeric"}),
        help_text="Test cards: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined.",
    )
    expiry = forms.RegexField(
        label="Expiry (MM/YY)",
        regex=r"^(0[1-9]|1[0-2])\s*/\s*\d{2}$",
        error_messages={"invalid": "Use MM/YY, e.g. 12/34."},
        widget=forms.TextInput(attrs={"autocomplete": "cc-exp", "placeholder": "MM/YY"}),
    )
    cvc = forms.RegexField(
        label="CVC",
        regex=r"^\d{3,4}$",
        error_messages={"invalid": "Three or four digits."},
        widget=forms.TextInput(attrs={"autocomplete": "cc-csc", "inputmode": "numeric"}),
    )


class RefundRequestForm(forms.Form):
    """`amount` is typed in the order's currency and cleans to minor units (None: all that is left)."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)

    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"] = MinorUnitsField(
            currency=currency,
            charged=True,
            label=f"Amount ({currency})",
            required=False,
            help_text="Leave empty to ask for all of it.",
        )


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=500, required=False)
