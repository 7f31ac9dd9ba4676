"""The configurator form: one field per template parameter. The fields only parse and render; every rule
(range, step, option, length, constraints, compilation) is checked by apps.catalog.validation."""

from __future__ import annotations

from django import forms

from apps.catalog.spec import ParameterKind, ParameterSpec, TemplateSpec, json_number
from apps.catalog.validation import (
    NON_FIELD,
    InvalidConfiguration,
    ValidConfiguration,
    configuration_validate,
)
from apps.storefront.widget_rendering import ConfiguratorRenderer

DESIGN_NAME = "design_name"


def _field_for(parameter: ParameterSpec) -> forms.Field:
    # the help text and the errors' list (templates/storefront/configurator.html names them so)
    attrs = {"aria-describedby": f"id_{parameter.key}_help id_{parameter.key}_error"}
    match parameter.kind:
        case ParameterKind.NUMBER:
            for attr, value in (
                ("min", parameter.min_value),
                ("max", parameter.max_value),
                ("step", parameter.step),
            ):
                if value is not None:
                    attrs[attr] = json_number(value)
            attrs["inputmode"] = "decimal"
            widget = forms.NumberInput(attrs=attrs)
        case ParameterKind.CHOICE:
            widget = forms.Select(attrs=attrs, choices=[(o.value, o.label) for o in parameter.options])
        case ParameterKind.COLOUR:
            widget = forms.RadioSelect(attrs=attrs, choices=[(o.value, o.label) for o in parameter.options])
        case _:
            if parameter.max_length:
                attrs["maxlength"] = parameter.max_length
            widget = forms.TextInput(attrs=attrs)
    field = forms.CharField(
        label=parameter.label, required=False, strip=False, widget=widget, help_text=parameter.help_text
    )
    field.parameter = parameter
    return field


class ConfigurationForm(forms.Form):
    default_renderer = ConfiguratorRenderer()  # the same markup as Django's, without the template engine

    def __init__(self, spec: TemplateSpec, *args, with_name: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.spec = spec
        self.configuration: ValidConfiguration | None = None
        for parameter in spec.parameters:
            self.fields[parameter.key] = _field_for(parameter)
        if with_name:
            self.fields[DESIGN_NAME] = forms.CharField(label="Design name", max_length=100, required=False)

    def parameter_fields(self):
        return [self[parameter.key] for parameter in self.spec.parameters]

    def raw_values(self) -> dict[str, object]:
        """The submitted parameter values as typed (for previews and to keep the input on errors)."""
        return {p.key: self.data.get(self.add_prefix(p.key), "") for p in self.spec.parameters}

    def clean(self):
        raw = {parameter.key: self.cleaned_data.get(parameter.key) for parameter in self.spec.parameters}
        try:
            self.configuration = configuration_validate(self.spec, raw)
        except InvalidConfiguration as error:
            for key, messages in error.errors.items():
                for message in messages:
                    self.add_error(None if key == NON_FIELD or key not in self.fields else key, message)
        return self.cleaned_data
