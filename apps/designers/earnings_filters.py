"""The sales filter shared by the earnings page and the API: a period size and an optional date range, checked
into field errors (never a 500 for bad input)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone

PERIOD_CHOICES = [("month", "Per month"), ("week", "Per week")]


class SalesFilterForm(forms.Form):
    period = forms.ChoiceField(choices=PERIOD_CHOICES, required=False)
    start = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, label="Until", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "The end is on or after the start.")
        return cleaned

    def range(self) -> dict:
        """designer_sales' keyword arguments: the period and [start, end] as whole local days."""
        data = self.cleaned_data
        zone = timezone.get_current_timezone()
        start = datetime.combine(data["start"], time.min, zone) if data.get("start") else None
        end = datetime.combine(data["end"], time.min, zone) + timedelta(days=1) if data.get("end") else None
        return {"period": data.get("period") or "month", "start": start, "end": end}
