"""Designers' forms: applying (the partners' application without the kind, plus a bio) and reviewing."""

from django import forms

from apps.designers.models import BIO_MAX, REVIEW_TEXT_MAX
from apps.designers.reviews import RATINGS
from apps.portal.forms import ApplyForm


class DesignerApplyForm(ApplyForm):
    """Located by its town like every participant (LocatedByTownMixin, via ApplyForm)."""

    kind = None  # designers apply as designers
    name = forms.CharField(
        label="Your name or studio name", max_length=120, help_text='Customers see it: "designed by …".'
    )
    bio = forms.CharField(
        label="About you",
        max_length=BIO_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Shown on your public page: what you design, for whom.",
    )


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        choices=[(n, f"{n} star{'s' if n > 1 else ''}") for n in reversed(RATINGS)],
        coerce=int,
        widget=forms.RadioSelect,
        label="Your rating",
    )
    text = forms.CharField(
        label="Your review",
        max_length=REVIEW_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Optional. Other customers and the designer read it.",
    )
