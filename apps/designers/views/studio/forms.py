"""The studio's editor: a product form and one formset per section (parameters, derived values, constraints,
routing steps). The forms only parse and render: they turn what the designer typed into a definition
(apps.catalog.definitions' shape) and put the catalog's answers — row problems and the template's checks, both
located like `steps[0].duration` — back next to the input they concern."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms

from apps.catalog.models import PreviewKind
from apps.catalog.spec import ParameterKind
from apps.processes.models import Process

SECTIONS = ("parameters", "derived", "constraints", "steps")
TEXTAREA = {"rows": 3}


class ProductForm(forms.Form):
    name = forms.CharField(max_length=120)
    category = forms.CharField(max_length=60, required=False)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs=TEXTAREA))
    preview_kind = forms.ChoiceField(choices=PreviewKind.choices, label="Preview")
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


class ParameterForm(forms.Form):
    key = forms.CharField(max_length=40)
    label = forms.CharField(max_length=80, required=False)
    kind = forms.ChoiceField(choices=[(k.value, k.value.title()) for k in ParameterKind])
    required = forms.BooleanField(required=False, initial=True)
    unit = forms.CharField(max_length=12, required=False)
    min = forms.CharField(max_length=20, required=False)
    max = forms.CharField(max_length=20, required=False)
    step = forms.CharField(max_length=20, required=False)
    default = forms.CharField(max_length=200, required=False)
    max_length = forms.CharField(max_length=5, required=False, label="Max. length")
    help_text = forms.CharField(max_length=200, required=False)
    options = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text="Choices and colours: one per line, <code>value | Label | attribute=value, …</code>",
    )


class DerivedForm(forms.Form):
    key = forms.CharField(max_length=40)
    formula = forms.CharField(max_length=500)


class ConstraintForm(forms.Form):
    expression = forms.CharField(max_length=500)
    message = forms.CharField(max_length=200, required=False)


class StepForm(forms.Form):
    key = forms.CharField(max_length=40)
    name = forms.CharField(max_length=100, required=False)
    process = forms.ChoiceField(choices=())
    predecessors = forms.CharField(max_length=300, required=False, help_text="Step keys, comma-separated.")
    condition = forms.CharField(max_length=500, required=False)
    material = forms.CharField(max_length=500, required=False)
    quantity = forms.CharField(max_length=500, required=False, initial="1")
    duration = forms.CharField(max_length=500, label="Minutes")
    length = forms.CharField(max_length=500, required=False, label="Length mm")
    width = forms.CharField(max_length=500, required=False, label="Width mm")
    height = forms.CharField(max_length=500, required=False, label="Height mm")
    cost_drivers = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text="One per line: <code>name = formula</code>",
    )
    material_drivers = forms.CharField(
        max_length=300, required=False, help_text="Which cost drivers are bought-in materials."
    )

    def __init__(self, *args, processes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["process"].choices = processes


FORMS = {
    "parameters": ParameterForm,
    "derived": DerivedForm,
    "constraints": ConstraintForm,
    "steps": StepForm,
}


def options_text(options) -> str:
    lines = []
    for option in options if isinstance(options, list) else []:
        attributes = ", ".join(f"{k}={v}" for k, v in (option.get("attributes") or {}).items())
        parts = [str(option.get("value", "")), str(option.get("label", ""))]
        if attributes:
            parts.append(attributes)
        lines.append(" | ".join(parts))
    return "\n".join(lines)


def _scalar(text: str):
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and "." not in text else number


def options_parse(text: str) -> list[dict]:
    options = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        option = {"value": parts[0], "label": parts[1] if len(parts) > 1 and parts[1] else parts[0]}
        if len(parts) > 2 and parts[2]:
            attributes = {}
            for pair in parts[2].split(","):
                name, _, value = pair.partition("=")
                if name.strip():
                    attributes[name.strip()] = _scalar(value.strip())
            option["attributes"] = attributes
        options.append(option)
    return options


def drivers_text(drivers) -> str:
    return "\n".join(f"{k} = {v}" for k, v in (drivers or {}).items()) if isinstance(drivers, dict) else ""


def drivers_parse(text: str) -> dict[str, str]:
    drivers = {}
    for line in (text or "").splitlines():
        name, sep, formula = line.partition("=")
        if name.strip():
            drivers[name.strip()] = formula.strip() if sep else ""
    return drivers


def _initial_row(section: str, row: Mapping) -> dict:
    row = dict(row)
    if section == "parameters":
        row["options"] = options_text(row.get("options"))
        row = {k: ("" if v is None else v) for k, v in row.items()}
    if section == "steps":
        row["cost_drivers"] = drivers_text(row.get("cost_drivers"))
        row["predecessors"] = ", ".join(row.get("predecessors") or ())
        row["material_drivers"] = ", ".join(row.get("material_drivers") or ())
    return row


class StudioEditor:
    """The product form and the four formsets, bound to a request's data or started from a definition."""

    def __init__(self, *, data=None, definition: Mapping | None = None):
        definition = definition or {}
        processes = [(p.code, p.name) for p in Process.objects.order_by("name")]
        self.product = ProductForm(data, initial={k: definition.get(k) for k in ProductForm.base_fields})
        self.formsets = {}
        for section, form in FORMS.items():
            formset_class = forms.formset_factory(
                form, extra=1, can_delete=True, max_num=60, validate_max=True
            )
            initial = [_initial_row(section, row) for row in definition.get(section) or ()]
            kwargs = {"form_kwargs": {"processes": processes}} if section == "steps" else {}
            self.formsets[section] = formset_class(
                data, initial=None if data else initial, prefix=section, **kwargs
            )
        self._kept: dict[str, list[forms.Form]] = {}

    def is_valid(self) -> bool:
        return self.product.is_valid() & all([fs.is_valid() for fs in self.formsets.values()])

    def definition(self) -> dict:
        """What the designer typed, as a definition (call after is_valid)."""
        data = {k: v for k, v in self.product.cleaned_data.items()}
        for name in ("royalty_bp", "royalty_minor"):
            data[name] = data.get(name) or 0
        for section, formset in self.formsets.items():
            kept = [
                form
                for form in formset.forms
                if form.has_changed() and form.cleaned_data and not form.cleaned_data.get("DELETE")
            ]
            self._kept[section] = kept
            data[section] = [self._row(section, form.cleaned_data) for form in kept]
        return data

    @staticmethod
    def _row(section: str, cleaned: Mapping) -> dict:
        row = {k: v for k, v in cleaned.items() if k != "DELETE"}
        if section == "parameters":
            row["options"] = options_parse(row.get("options", ""))
            for name in ("min", "max", "step", "max_length"):
                row[name] = row.get(name) or None
        if section == "steps":
            row["cost_drivers"] = drivers_parse(row.get("cost_drivers", ""))
            row["predecessors"] = [k.strip() for k in row.get("predecessors", "").split(",") if k.strip()]
            row["material_drivers"] = [
                k.strip() for k in row.get("material_drivers", "").split(",") if k.strip()
            ]
        return row

    def add_errors(self, errors: Mapping[str, list[str]]) -> list[str]:
        """Puts each located message next to its input; returns those no input explains (shown above)."""
        leftover = []
        for where, messages in errors.items():
            form, field = self._locate(where)
            if form is None:
                leftover += [f"{where}: {m}" if where != "definition" else m for m in messages]
                continue
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
        return leftover

    def _locate(self, where: str):
        section, _, rest = where.partition("[")
        if not rest:
            return (self.product, where) if where in self.product.fields else (None, "")
        index_text, _, field = rest.partition("]")
        kept = self._kept.get(section, [])
        if not index_text.isdecimal() or int(index_text) >= len(kept):
            return None, ""
        return kept[int(index_text)], field.lstrip(".")
