"""The configurator's form renderer: Django's own, except that the three widget templates its fields use — an
input (number, text), a select and a radio option — are written out here, to the same bytes.

Django renders every widget through the template engine: a template, an `{% include %}` of attrs.html with a
loop over the attributes, and one more template (and include) per option of a select. On the configurator page
that was ~3 ms of a ~17 ms request (a dozen fields, their options and swatches, on every GET and every live
re-validation). The markup below follows Django's templates (django/forms/templates/django/forms/widgets/
input.html, attrs.html, select.html, select_option.html, input_option.html) line for line, including their
whitespace; tests/storefront/test_widget_rendering.py holds the two renderers to identical output. Any other
template (another widget, a form or error template) goes to Django's renderer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.forms.renderers import BaseRenderer, get_default_renderer
from django.utils.formats import localize
from django.utils.html import conditional_escape

_WIDGETS = "django/forms/widgets/"


def _shown(value: object) -> str:
    """`{{ value }}`: localized (a number), then escaped unless already safe."""
    return conditional_escape(localize(value))


def _attrs(attrs: Mapping[str, object]) -> str:
    """attrs.html: ` name="value"`, a bare ` name` for True, nothing for False."""
    return "".join(
        f" {_shown(name)}" if value is True else f' {_shown(name)}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: Mapping) -> str:
    """input.html (text.html and number.html are nothing but it)."""
    value = "" if widget["value"] is None else f' value="{conditional_escape(widget["value"])}"'
    return (
        f'<input type="{_shown(widget["type"])}" name="{_shown(widget["name"])}"'
        f"{value}{_attrs(widget['attrs'])}>"
    )


def _option(widget: Mapping) -> str:
    """select_option.html, with the newline that ends the file (the select includes it as it is)."""
    return (
        f'<option value="{conditional_escape(widget["value"])}"{_attrs(widget["attrs"])}>'
        f"{_shown(widget['label'])}</option>\n"
    )


def _select(widget: Mapping) -> str:
    """select.html: its options one per line, grouped when the choices are."""
    parts = [f'<select name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _ in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_shown(group_name)}">')
        for option in group_choices:
            if option["template_name"] != f"{_WIDGETS}select_option.html":
                raise _NotOurs
            parts.append(f"\n  {_option(option)}")
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _input_option(widget: Mapping) -> str:
    """radio_option.html → input_option.html: the input, wrapped in its label when asked."""
    if not widget["wrap_label"]:
        return _input(widget)
    element_id = widget["attrs"].get("id")
    label_for = f' for="{_shown(element_id)}"' if element_id else ""
    # input.html ends with a newline, which the include keeps inside the label
    return f"<label{label_for}>{_input(widget)}\n {_shown(widget['label'])}</label>"


class _NotOurs(Exception):
    """A context these functions do not cover: Django's renderer takes it."""


_RENDERED_HERE: dict[str, Callable[[Mapping], str]] = {
    f"{_WIDGETS}text.html": _input,
    f"{_WIDGETS}number.html": _input,
    f"{_WIDGETS}input.html": _input,
    f"{_WIDGETS}select.html": _select,
    f"{_WIDGETS}radio_option.html": _input_option,
}


class ConfiguratorRenderer(BaseRenderer):
    """Renders the configurator's widgets in Python; everything else as the project's form renderer does."""

    def get_template(self, template_name):
        return get_default_renderer().get_template(template_name)

    def render(self, template_name, context, request=None):
        render = _RENDERED_HERE.get(template_name)
        if render is not None:
            try:
                return render(context["widget"])
            except _NotOurs:
                pass
        return get_default_renderer().render(template_name, context, request)
