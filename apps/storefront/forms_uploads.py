"""Forms of the uploaded-part pages: the upload (one or more files) and the units question. They only parse; the
file itself is checked by apps.uploads.services.upload_create (size, content, format)."""

from __future__ import annotations

from django import forms

from apps.uploads.analysis.result import Units

MAX_FILES_PER_UPLOAD = 10
ACCEPT = ".stl,.3mf,.obj,.dxf,.step,.stp"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file input that takes several files; cleans to the list of files."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        files = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if not files:
            return [single(None, initial)]  # raises "required"
        return [single(item, initial) for item in files]


class PartUploadForm(forms.Form):
    files = MultipleFileField(
        label="Files",
        widget=MultipleFileInput(
            attrs={"accept": ACCEPT, "aria-describedby": "id_files_help id_files_error", "multiple": True}
        ),
        error_messages={"required": "Choose at least one file to upload."},
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        if len(files) > MAX_FILES_PER_UPLOAD:
            raise forms.ValidationError(f"Upload at most {MAX_FILES_PER_UPLOAD} files at a time.")
        return files


class UnitsForm(forms.Form):
    units = forms.ChoiceField(
        choices=[(Units.MM.value, "millimetres"), (Units.INCH.value, "inches")],
        error_messages={"required": "Choose the units: millimetres or inches."},
    )


class _OfferedChoice(forms.ChoiceField):
    """A select of what the network offers. Any value passes here: apps.uploads.options decides, with messages that
    name what is offered, and the value typed stays on the form."""

    def valid_value(self, value) -> bool:
        return True


class PartOptionsForm(forms.Form):
    """The options of one uploaded part, built from `choices` (apps.uploads.options.part_choices) for the process
    and material chosen so far (the bound data, else `initial`), plus the quantity. Changing the process offers
    that process's materials on the next render (htmx re-renders on change; without JavaScript, "Update price")."""

    quantity = forms.IntegerField(
        min_value=1,
        max_value=100,
        initial=1,
        error_messages={"min_value": "At least 1.", "max_value": "At most 100 at a time."},
    )

    def __init__(self, choices: dict, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = choices["kind"]
        processes = choices["processes"]
        fields: dict[str, forms.Field] = {}
        process = self._pick(processes, "process")
        fields["process"] = _OfferedChoice(
            label="Process", choices=[(p["value"], p["label"]) for p in processes]
        )
        materials = process["materials"] if process else []
        material = self._pick(materials, "material")
        fields["material"] = _OfferedChoice(
            label="Material", choices=[(m["value"], m["label"]) for m in materials]
        )
        if material is not None:
            fields.update(self._kind_fields(material))
        quantity = self.fields.pop("quantity")
        self.fields.update(fields)
        self.fields["quantity"] = quantity
        self.option_names = list(fields)

    def _chosen(self, name: str) -> str:
        if self.is_bound:
            return str(self.data.get(name, ""))
        return str(self.initial.get(name, ""))

    def _pick(self, rows: list[dict], name: str) -> dict | None:
        chosen = self._chosen(name)
        return next((row for row in rows if str(row["value"]) == chosen), rows[0] if rows else None)

    def _kind_fields(self, material: dict) -> dict[str, forms.Field]:
        fields: dict[str, forms.Field] = {}
        if self.kind == "mesh":
            if material.get("colours"):
                fields["colour"] = _OfferedChoice(
                    label="Colour", choices=[(c, c) for c in material["colours"]]
                )
            if material.get("infill_percents"):
                fields["infill_percent"] = _OfferedChoice(
                    label="Infill",
                    choices=[(str(p), f"{p} %") for p in material["infill_percents"]],
                    help_text="How solid the inside is printed: more is stronger, heavier and slower.",
                )
            if material.get("finishes"):
                fields["finish"] = _OfferedChoice(
                    label="Finish", choices=[(f["value"], f["label"]) for f in material["finishes"]]
                )
        elif self.kind == "profile":
            sheets = material.get("thicknesses", [])
            fields["thickness_mm"] = _OfferedChoice(
                label="Sheet thickness", choices=[(f"{s['value']:g}", f"{s['value']:g} mm") for s in sheets]
            )
            sheet = self._pick_sheet(sheets)
            if sheet and sheet["bending"]:
                fields["bending"] = forms.BooleanField(
                    label="Bend it along the bend lines",
                    required=False,
                    help_text="Lines on a layer named BEND.",
                )
            if sheet and sheet["powder_coating"]:
                fields["powder_coating"] = forms.BooleanField(label="Powder coating", required=False)
                fields["coating_colour"] = _OfferedChoice(
                    label="Coating colour",
                    choices=[("", "—"), *((c, c) for c in sheet["coating_colours"])],
                    required=False,
                )
        else:
            fields["tolerance"] = _OfferedChoice(
                label="Tolerance class",
                choices=[(t["value"], t["label"]) for t in material.get("tolerances", [])],
            )
            if material.get("finishes"):
                fields["finish"] = _OfferedChoice(
                    label="Finish", choices=[(f["value"], f["label"]) for f in material["finishes"]]
                )
        return fields

    def _pick_sheet(self, sheets: list[dict]) -> dict | None:
        chosen = self._chosen("thickness_mm")
        for sheet in sheets:
            try:
                if abs(float(chosen) - float(sheet["value"])) < 1e-6:
                    return sheet
            except ValueError:
                break
        return sheets[0] if sheets else None

    @property
    def options(self) -> dict:
        """The chosen options as apps.uploads.options.part_options_clean reads them."""
        return {name: self.cleaned_data.get(name) for name in self.option_names}
