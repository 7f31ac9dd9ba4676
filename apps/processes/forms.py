from django import forms

from apps.processes.selectors import process_choices


class ProcessCodeField(forms.ChoiceField):
    """Picks one of the network's processes (read when the form renders) and cleans to its code."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Process")
        super().__init__(choices=process_choices, **kwargs)
