"""templates/_form_field.html: the help text and the errors carry the ids Django's widgets point at
(aria-describedby "<auto_id>_helptext <auto_id>_error"), for every kind of field."""

import re

from django import forms
from django.template.loader import render_to_string


class _Form(forms.Form):
    name = forms.CharField(help_text="As on your invoices.")
    size = forms.ChoiceField(choices=[("s", "Small"), ("l", "Large")], widget=forms.RadioSelect)


def _ids(html: str) -> set[str]:
    return set(re.findall(r'\sid="([^"]*)"', html))


def test_the_ids_a_text_input_is_described_by_are_on_the_page():
    field = _Form(data={})["name"]

    html = render_to_string("_form_field.html", {"field": field})

    described_by = re.search(r'aria-describedby="([^"]*)"', html).group(1).split()
    assert described_by == ["id_name_helptext", "id_name_error"]
    assert set(described_by) <= _ids(html)


def test_a_choice_of_radios_names_its_errors_by_the_field_not_by_an_empty_id():
    """A radio group has no single input to label (id_for_label is empty): its errors were id="_error", the same
    on every such field of the page."""
    html = render_to_string("_form_field.html", {"field": _Form(data={})["size"]})

    assert "id_size_error" in _ids(html) and "_error" not in _ids(html)
