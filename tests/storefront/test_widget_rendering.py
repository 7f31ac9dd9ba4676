"""The configurator's form renderer writes the widgets its fields use in Python: its output must be exactly
Django's (the template engine's) for every widget and state the configurator shows — values or none, selected
options and swatches, errors (aria-invalid), grouped choices, text that needs escaping — and whole pages, fresh
and with errors, must not change by a byte."""

import re

import pytest
from django import forms
from django.forms.renderers import get_default_renderer
from django.utils.safestring import mark_safe

from apps.storefront.forms import ConfigurationForm
from apps.storefront.widget_rendering import ConfiguratorRenderer

pytestmark = pytest.mark.django_db

FAST = ConfiguratorRenderer()
ATTRS = {"aria-describedby": "id_x_help id_x_error", "min": 10, "max": 2400.5, "step": "0.5", "id": "id_x"}
AWKWARD = "a \"quoted\" <b>bold</b> & 'single'"


def _both(widget: forms.Widget, value, attrs=None) -> tuple[str, str]:
    attrs = {**ATTRS, **(attrs or {})}
    return (
        widget.render("x", value, attrs=attrs, renderer=FAST),
        widget.render("x", value, attrs=attrs, renderer=get_default_renderer()),
    )


CHOICES = [("oak", "European oak"), ("walnut", AWKWARD), ("", "None"), (AWKWARD, "Odd value")]
GROUPED = [("Woods", [("oak", "Oak"), ("ash", "Ash")]), ("Metals", [("steel", "Steel")]), ("plain", "Plain")]


@pytest.mark.parametrize(
    "widget",
    [
        forms.NumberInput(attrs={"inputmode": "decimal"}),
        forms.TextInput(attrs={"maxlength": 40}),
        forms.TextInput(attrs={"required": True, "disabled": False, "aria-invalid": "true"}),
        forms.Select(choices=CHOICES),
        forms.Select(choices=GROUPED),
    ],
    ids=["number", "text", "text with boolean attributes", "select", "select with groups"],
)
@pytest.mark.parametrize(
    "value", [None, "", "1800", 1800, "walnut", "oak", "", AWKWARD, mark_safe("<i>safe</i>")]
)
def test_each_widget_renders_as_djangos_templates_do(widget, value):
    fast, django = _both(widget, value)
    assert fast == django


@pytest.mark.parametrize("value", [None, "oak", AWKWARD])
@pytest.mark.parametrize("wrap_label", [False, True])
def test_radio_options_render_as_djangos_templates_do(value, wrap_label):
    widget = forms.RadioSelect(choices=CHOICES)
    fast_options = widget.subwidgets("x", value, attrs=ATTRS)
    for option in fast_options:
        option["wrap_label"] = wrap_label
        context = {"widget": option}
        assert FAST.render(option["template_name"], context) == get_default_renderer().render(
            option["template_name"], context
        )


def test_other_templates_go_to_djangos_renderer():
    widget = forms.RadioSelect(choices=CHOICES)  # the whole radio list: not one of ours
    fast, django = _both(widget, "oak")
    assert fast == django and "<div" in fast
    textarea = forms.Textarea()
    assert _both(textarea, AWKWARD)[0] == _both(textarea, AWKWARD)[1]


def _without_tokens(html: str) -> str:
    """A page without what changes with every request (CSRF token, CSP nonce)."""
    html = re.sub(r'value="[A-Za-z0-9]{64}"', "CSRF", html)
    html = re.sub(r'"X-CSRFToken": "[A-Za-z0-9]{64}"', "CSRF", html)
    return re.sub(r'nonce="[^"]+"', "NONCE", html)


@pytest.mark.parametrize(
    ("slug", "values"),
    [
        ("dining-table", {}),
        ("dining-table", {"width": "9999", "top_material": "plastic", "leg_colour": "#1f2328"}),
        ("bookshelf", {}),
        ("phone-stand", {"engraving": AWKWARD}),
    ],
)
def test_configurator_pages_are_the_same_with_either_renderer(
    demo_catalog_a, client_a, monkeypatch, slug, values
):
    url = f"/catalog/{slug}/"
    fast = client_a.post(url, values) if values else client_a.get(url)
    monkeypatch.setattr(ConfigurationForm, "default_renderer", get_default_renderer())
    django = client_a.post(url, values) if values else client_a.get(url)
    assert fast.status_code == django.status_code
    assert _without_tokens(fast.content.decode()) == _without_tokens(django.content.decode())
    assert 'id="config-fields"' in fast.content.decode()
