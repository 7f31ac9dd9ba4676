"""The form of a designer's CAD product: its product fields and, for each option the network offers for the part,
the values customers may choose (checkboxes). It only parses and renders; apps.uploads.products checks."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms

from apps.designers.views.studio.forms import TEXTAREA
from apps.uploads.options import OPTION_LABELS, TOLERANCE_LABELS, finish_label, material_label

PRODUCT_FIELDS = ("name", "category", "description", "royalty_kind", "royalty_bp", "royalty_minor")
OPTION_PREFIX = "option_"


def _label(field: str, value: str) -> str:
    if field == "material":
        return material_label(value)
    if field == "finish":
        return finish_label(value)
    if field == "tolerance":
        return TOLERANCE_LABELS.get(value, value)
    if field == "thickness_mm":
        return f"{value} mm"
    if field == "infill_percent":
        return f"{value} %"
    return value.replace("_", " ")


class CadProductForm(forms.Form):
    name = forms.CharField(max_length=120)
    category = forms.CharField(max_length=60, required=False)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs=TEXTAREA))
    royalty_kind = forms.ChoiceField(
        choices=[("", "No royalty"), ("percent", "Percentage of the price"), ("fixed", "Fixed per unit")],
        required=False,
        label="Royalty",
    )
    royalty_bp = forms.IntegerField(
        min_value=0, required=False, label="Royalty (basis points)", help_text="500 = 5 % of the price."
    )
    royalty_minor = forms.IntegerField(
        min_value=0, required=False, label="Royalty per unit (cents)", help_text="In the product's currency."
    )

    def __init__(self, *args, offered: Mapping[str, set[str]], chosen: Mapping[str, list[str]], **kwargs):
        """`offered`: option → the values the network offers for the part now; `chosen`: the stored narrowing."""
        super().__init__(*args, **kwargs)
        self.offered = {field: sorted(values) for field, values in offered.items() if values}
        for field, values in self.offered.items():
            self.fields[OPTION_PREFIX + field] = forms.MultipleChoiceField(
                choices=[(v, _label(field, v)) for v in values],
                required=False,
                widget=forms.CheckboxSelectMultiple,
                label=OPTION_LABELS.get(field, field),
                initial=chosen.get(field, values),
            )

    @property
    def option_fields(self):
        return [self[OPTION_PREFIX + field] for field in self.offered]

    @property
    def product_fields(self):
        return [self[name] for name in PRODUCT_FIELDS]

    def definition(self) -> dict:
        """What the designer typed, in apps.uploads.products' shape: an option with every value ticked is left
        out (it offers all, including values the network adds later)."""
        data = self.cleaned_data
        definition = {name: data.get(name) for name in PRODUCT_FIELDS}
        definition["royalty_bp"] = data.get("royalty_bp") or 0
        definition["royalty_minor"] = data.get("royalty_minor") or 0
        options = {}
        for field, values in self.offered.items():
            ticked = data.get(OPTION_PREFIX + field) or []
            if set(ticked) != set(values):
                options[field] = list(ticked)
        definition["options"] = options
        return definition

    def add_service_errors(self, errors: Mapping[str, list[str]]) -> None:
        """The service's `options.material` → the material checkboxes; product fields by name; the rest on top."""
        for where, messages in errors.items():
            field = where.removeprefix("options.")
            name = OPTION_PREFIX + field if where.startswith("options.") else where
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
