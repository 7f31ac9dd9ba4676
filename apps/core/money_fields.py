"""The form field for money typed by people: major units in, exact integer minor units out."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from apps.core.money import currency_exponent, from_minor, to_minor


class MinorUnitsField(forms.DecimalField):
    """A money amount typed in major units (12.50); cleans to an int of minor units of `currency` (1250).

    Allows exactly as many decimals as the currency has (JPY none, EUR two, KWD three) and rejects more with a
    field error instead of rounding or truncating them away. Never negative.
    """

    def __init__(self, *, currency: str, **kwargs):
        self.currency = currency
        kwargs.setdefault("min_value", Decimal(0))
        kwargs.setdefault("decimal_places", currency_exponent(currency))
        kwargs.setdefault("max_digits", 14)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("step", str(Decimal(1).scaleb(-currency_exponent(currency))))

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return from_minor(value, self.currency)
        return value

    def clean(self, value):
        amount = super().clean(value)
        if amount is None:
            return None
        return to_minor(amount, self.currency)
