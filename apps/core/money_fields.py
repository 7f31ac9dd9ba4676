"""The form field for money typed by people: major units in, exact integer minor units out."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from apps.core.currencies import charge_step
from apps.core.money import currency_exponent, format_minor, from_minor, to_minor


class MinorUnitsField(forms.DecimalField):
    """A money amount typed in major units (12.50); cleans to an int of minor units of `currency` (1250).

    Allows exactly as many decimals as the currency has (JPY none, EUR two, KWD three) and rejects more with a
    field error instead of rounding or truncating them away. Never negative. With `charged=True` the amount
    goes to Stripe as a charge or refund, so it must also be a multiple of Stripe's charge step (KWD 0.010,
    ISK 1).
    """

    def __init__(self, *, currency: str, charged: bool = False, **kwargs):
        self.currency = currency
        self.step_minor = charge_step(currency) if charged else 1
        kwargs.setdefault("min_value", Decimal(0))
        kwargs.setdefault("decimal_places", currency_exponent(currency))
        kwargs.setdefault("max_digits", 14)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault(
            "step", str(Decimal(self.step_minor).scaleb(-currency_exponent(currency)))
        )

    def prepare_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return from_minor(value, self.currency)
        return value

    def clean(self, value):
        amount = super().clean(value)
        if amount is None:
            return None
        minor = to_minor(amount, self.currency)
        if minor % self.step_minor:
            step = format_minor(self.step_minor, self.currency)
            raise forms.ValidationError(
                f"Stripe takes {self.currency} amounts in steps of {step}.", code="charge_step"
            )
        return minor
