"""Portal forms. Amounts are typed in major units (12.50) and stored as integer minor units (1250)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.auth import password_validation
from django.contrib.postgres.forms import SimpleArrayField

from apps.accounts.models import EMAIL_MAX_LENGTH, User
from apps.core.countries import country_code_normalize, validate_country_code
from apps.core.gazetteer import place_locate, place_unknown_message
from apps.core.money_fields import MinorUnitsField
from apps.core.uploads import IMAGE_ACCEPT, IMAGE_HELP, validate_image_upload
from apps.orders.models import PROBLEM_TEXT_MAX
from apps.processes.forms import ProcessCodeField
from apps.suppliers import calendars
from apps.suppliers.models import (
    PROFILE_FIELDS,
    AssetOwner,
    CalendarExceptionKind,
    Carrier,
    Certification,
    CertificationStandard,
    OpeningHours,
    RateCard,
    Resource,
)
from apps.suppliers.status import MemberRole, ParticipantKind
from apps.suppliers.uploads import certificate_file_validate

# Coordinates are stored with six decimals (about 0.1 m), as the participant's fields are.
COORDINATE_PLACES = Decimal("0.000001")


def _money_fields(form: forms.Form, currency: str, names: dict[str, str]) -> None:
    for name, label in names.items():
        old = form.fields[name]
        form.fields[name] = MinorUnitsField(
            currency=currency, label=f"{label} ({currency})", required=old.required, help_text=old.help_text
        )


class LocatedByTownMixin:
    """Where a participant is, for matching and transport: the centre of the town it names, from the offline
    gazetteer the cart uses, so nobody types coordinates. An unknown town is an error on the town field (the
    input kept). `town_fields` names the form's town and country fields."""

    town_fields = ("city", "country")

    def clean(self):
        cleaned = super().clean()
        self._locate(cleaned)
        return cleaned

    def _locate(self, cleaned: dict) -> None:
        city_field, country_field = self.town_fields
        city, country = cleaned.get(city_field), cleaned.get(country_field)
        if not city or not country:
            return
        located = place_locate(city=city, country=country)
        if located is None:
            self.add_error(city_field, place_unknown_message(city, country))
            return
        cleaned["latitude"], cleaned["longitude"] = (
            Decimal(str(degrees)).quantize(COORDINATE_PLACES) for degrees in located.point
        )


# --- applying -------------------------------------------------------------------------------------------------


class ApplyForm(LocatedByTownMixin, forms.Form):
    # Designers apply on their own page (apps/designers/views/public.py).
    kind = forms.ChoiceField(
        choices=[
            (ParticipantKind.ASSET_OWNER.value, ParticipantKind.ASSET_OWNER.label),
            (ParticipantKind.CARRIER.value, ParticipantKind.CARRIER.label),
        ],
        widget=forms.RadioSelect,
        label="We are",
    )
    name = forms.CharField(label="Company name", max_length=120)
    contact_name = forms.CharField(label="Your name", max_length=120)
    contact_email = forms.EmailField(label="E-mail (your portal login)", max_length=EMAIL_MAX_LENGTH)
    password = forms.CharField(
        label="Password for the portal", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    phone = forms.CharField(max_length=40, required=False)
    street = forms.CharField(max_length=200)
    postal_code = forms.CharField(max_length=20)
    city = forms.CharField(max_length=100)
    country = forms.CharField(max_length=2, initial="NL", help_text="Two-letter code, e.g. NL.")

    def clean_contact_email(self):
        # An e-mail already in use is not a form error: the page must not tell a stranger (views/apply.py).
        return self.cleaned_data["contact_email"].lower()

    def clean_country(self):
        value = country_code_normalize(self.cleaned_data["country"])
        validate_country_code(value)
        return value

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            candidate = User(
                email=cleaned.get("contact_email", ""), full_name=cleaned.get("contact_name", "")
            )
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


# --- supplier -------------------------------------------------------------------------------------------------


class ResourceForm(forms.ModelForm):
    process = ProcessCodeField()
    materials = SimpleArrayField(
        forms.CharField(max_length=50),
        required=False,
        help_text="Comma-separated, e.g. oak, walnut. Empty: any.",
    )

    class Meta:
        model = Resource
        fields = [
            "name",
            "process",
            "status",
            "capacity",
            "speed_factor",
            "max_length_mm",
            "max_width_mm",
            "max_height_mm",
            "tolerance_mm",
            "materials",
            "setup_cost_minor",
            "cost_per_minute_minor",
            "minimum_charge_minor",
        ]

    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        _money_fields(
            self,
            currency,
            {
                "setup_cost_minor": "Setup cost",
                "cost_per_minute_minor": "Cost per minute",
                "minimum_charge_minor": "Minimum charge",
            },
        )
        self.instance.currency = self.instance.currency or currency


class OpeningHoursForm(forms.ModelForm):
    class Meta:
        model = OpeningHours
        fields = ["weekday", "opens", "closes"]
        widgets = {
            "opens": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "closes": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def clean(self):
        cleaned = super().clean()
        if {"weekday", "opens", "closes"} <= cleaned.keys():
            hours = calendars.WeeklyHours(
                weekday=cleaned["weekday"], opens=cleaned["opens"], closes=cleaned["closes"]
            )
            for problem in calendars.weekly_problems([hours]):
                self.add_error("closes", problem)
        return cleaned


class CalendarExceptionForm(forms.Form):
    """Times are local to the network (the portal activates its time zone while parsing)."""

    kind = forms.ChoiceField(choices=CalendarExceptionKind.choices)
    starts_at = forms.DateTimeField(
        label="From", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    ends_at = forms.DateTimeField(
        label="Until", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    reason = forms.CharField(max_length=200, required=False)

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "Must be after the start.")
        return cleaned


class ProfileForm(LocatedByTownMixin, forms.ModelForm):
    class Meta:
        model = AssetOwner
        fields = [name for name in PROFILE_FIELDS if name not in ("latitude", "longitude")]


class CertificationForm(forms.ModelForm):
    class Meta:
        model = Certification
        fields = ["standard", "title", "number", "issued_by", "valid_until", "file"]
        widgets = {"valid_until": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".pdf,.png,.jpg,.jpeg,.webp,application/pdf,image/*"
        self.fields["file"].validators = [certificate_file_validate]

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("standard") == CertificationStandard.OTHER
            and not (cleaned.get("title") or "").strip()
        ):
            self.add_error("title", "Name the certificate.")
        return cleaned


# --- carrier --------------------------------------------------------------------------------------------------


class RateCardForm(forms.ModelForm):
    class Meta:
        model = RateCard
        fields = ["base_fee_minor", "per_km_minor", "per_kg_minor", "max_weight_kg"]

    def __init__(self, *args, currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        _money_fields(
            self, currency, {"base_fee_minor": "Base fee", "per_km_minor": "Per km", "per_kg_minor": "Per kg"}
        )
        self.instance.currency = self.instance.currency or currency


class CoverageForm(LocatedByTownMixin, forms.ModelForm):
    """Where the carrier's vehicles start from, by town (its address's town and country: the base), and how far
    and fast they go. Nobody types coordinates."""

    class Meta:
        model = Carrier
        fields = ["city", "country", "coverage_radius_km", "speed_kmh", "handling_hours"]
        labels = {"city": "Base town"}
        help_texts = {"country": "Two-letter code, e.g. NL."}

    def clean_country(self):
        value = country_code_normalize(self.cleaned_data["country"])
        validate_country_code(value)
        return value


# --- jobs and legs --------------------------------------------------------------------------------------------
# Photos are checked by the same rule the orders services apply (apps/core/uploads.py). Checking here too puts
# the error next to the field instead of at the top of the card.


def _photo_field(label: str) -> forms.FileField:
    return forms.FileField(
        label=label,
        required=False,
        validators=[validate_image_upload],
        help_text=IMAGE_HELP,
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
    )


class _ReasonForm(forms.Form):
    # Required and stripped: a reason of only spaces is no reason.
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class DeclineForm(_ReasonForm):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "decline")
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = "Why do you decline?"
        self.fields["reason"].help_text = "The network re-plans the job around your answer."


class ProblemForm(forms.Form):
    reason = forms.CharField(max_length=PROBLEM_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))
    give_back = forms.BooleanField(
        required=False,
        label="I cannot do this job: give it back to the network (it is re-planned elsewhere)",
    )

    def __init__(self, *args, can_give_back: bool = True, **kwargs):
        kwargs.setdefault("prefix", "problem")
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = "What is the problem?"
        if not can_give_back:
            del self.fields["give_back"]


class MeasurementForm(forms.Form):
    name = forms.CharField(max_length=60, required=False, label="Measurement")
    value = forms.CharField(max_length=100, required=False, label="Value")

    def clean(self):
        cleaned = super().clean()
        name, value = (cleaned.get("name") or "").strip(), (cleaned.get("value") or "").strip()
        if value and not name:
            self.add_error("name", "Name the measurement.")
        if name and not value:
            self.add_error("value", "Give the measured value.")
        cleaned["name"], cleaned["value"] = name, value
        return cleaned


class _MeasurementRows(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        names = [form.cleaned_data.get("name") for form in self.forms if form.cleaned_data.get("name")]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise forms.ValidationError(f"Each measurement once: {', '.join(duplicates)} appears twice.")

    def measurements(self) -> dict[str, int | float | str]:
        """Name → number where the value reads as one (1801, 0.05), else the text as typed."""
        result: dict[str, int | float | str] = {}
        for form in self.forms:
            name, value = form.cleaned_data.get("name"), form.cleaned_data.get("value")
            if name:
                result[name] = _number_or_text(value)
        return result


def _number_or_text(value: str) -> int | float | str:
    try:
        number = Decimal(value.replace(",", "."))
    except (ArithmeticError, ValueError):
        return value
    if not number.is_finite():
        return value
    return int(number) if number == number.to_integral_value() and "." not in value else float(number)


MeasurementRows = forms.formset_factory(
    MeasurementForm, formset=_MeasurementRows, extra=4, max_num=20, validate_max=True
)


class QualityCheckForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Result",
        choices=[("pass", "Passed"), ("fail", "Failed")],
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    photo = _photo_field("Photo")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "qc")
        super().__init__(*args, **kwargs)

    @property
    def passed(self) -> bool:
        return self.cleaned_data["outcome"] == "pass"


class DeliveryForm(forms.Form):
    receiver_name = forms.CharField(label="Received by", max_length=150)
    photo = _photo_field("Photo of the delivery (optional)")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "pod")
        super().__init__(*args, **kwargs)


class InviteForm(forms.Form):
    email = forms.EmailField(
        label="Colleague's e-mail", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    role = forms.ChoiceField(
        label="Role",
        choices=MemberRole.choices,
        initial=MemberRole.OPERATOR,
        help_text="Owners also manage members and payouts; operators do the daily work.",
    )


class InviteeSignupForm(forms.Form):
    """An invited colleague without an account here: their name and a password (the e-mail is the invited one)."""

    full_name = forms.CharField(
        label="Your name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    password = forms.CharField(
        label="Choose a password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
