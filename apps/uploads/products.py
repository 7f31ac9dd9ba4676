"""A designer's uploaded CAD part published as a product: the part is fixed (the designer's upload), customers
choose its options — those the network offers for an uploaded part of its kind (options.py), narrowed to the
designer's choice (`ProductTemplate.part_options`) — and it is quoted, compiled and made exactly as a customer's
own uploaded part (designs.part_compile).

The product is a ProductTemplate of the designer with `part_upload` set: it is written through
apps.catalog.drafts and moves through review with apps.catalog.versions like any designer product (the royalty,
the review, immutability, retiring come with it). What is its own lives here: which upload (one of the designer's
members' uploads), the narrowing of the options, the checks before submitting (`cad_product_issues`, which
apps.catalog.fixed_parts asks for), and saving a customer's choice as a design version of the product.

The upload of a submitted or published product never changes again (services.upload_frozen_check): its
published versions are immutable with it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404

from apps.accounts.access import is_signed_in
from apps.catalog.drafts import template_draft_create, template_draft_update
from apps.catalog.models import Design, DesignVersion, ProductTemplate, TemplateStatus
from apps.catalog.services import design_compiled_save
from apps.catalog.template_checks import Issue
from apps.catalog.validation import InvalidConfiguration, ValidConfiguration
from apps.catalog.versions import TemplateNotFound, template_require_author
from apps.uploads.access import upload_get_for_designer
from apps.uploads.designs import CompiledPart, InvalidPartOptions, PartNotReady, PartUnmakeable, part_compile
from apps.uploads.models import PartUpload
from apps.uploads.offer import Offer, network_offer
from apps.uploads.options import (
    BENDING,
    COATING,
    FIELDS,
    INFILL,
    NARROWABLE,
    THICKNESS,
    narrowing_key,
    part_choices,
    part_choices_narrow,
    part_options_default,
)
from apps.uploads.status import UploadStatus
from apps.uploads.viewing import part_analysis

# What a CAD product's definition may set (no parameters, derived values, constraints or routing: the part's
# operations come from its file).
PRODUCT_KEYS = ("name", "slug", "category", "description", "royalty_kind", "royalty_bp", "royalty_minor")
UPLOAD = "upload"
OPTIONS = "options"
PART = "part"
NARROWING_MAX = 50  # values per option: far more than a network offers


def _product_definition(definition: Mapping) -> dict:
    if not isinstance(definition, Mapping):
        raise ValidationError({"definition": ["An object."]})
    return {key: definition[key] for key in PRODUCT_KEYS if key in definition}


def offered_values(choices: dict, key: Callable[[str, object], object] = narrowing_key) -> dict[str, set]:
    """Every value the network offers now for each narrowable option of a part of this kind (as `key` gives it:
    the narrowing's comparable form unless told)."""
    offered: dict[str, set] = {field: set() for field in NARROWABLE}

    def add(field: str, value) -> None:
        offered[field].add(key(field, value))

    for process in choices["processes"]:
        add("process", process["value"])
        for material in process["materials"]:
            add("material", material["value"])
            for colour in material.get("colours", ()):
                add("colour", colour)
            for infill in material.get("infill_percents", ()):
                add("infill_percent", infill)
            for finish in material.get("finishes", ()):
                add("finish", finish["value"])
            for tolerance in material.get("tolerances", ()):
                add("tolerance", tolerance["value"])
            for sheet in material.get("thicknesses", ()):
                add("thickness_mm", sheet["value"])
                for colour in sheet["coating_colours"]:
                    add("coating_colour", colour)
    return offered


def narrowing_clean(*, upload: PartUpload, raw, offer: Offer | None = None) -> dict[str, list[str]]:
    """The designer's choice of options as stored: option → the values offered (comparable form). Each option
    named must be one of the part's, with values the network offers now for it; ValidationError keyed
    `options.<option>` otherwise. An option not named offers every value."""
    if raw in (None, ""):
        return {}
    if not isinstance(raw, Mapping):
        raise ValidationError({OPTIONS: ["An object of option → list of the values customers may choose."]})
    analysis = part_analysis(upload)
    if analysis is None:
        raise ValidationError({OPTIONS: ["The part is not analysed yet: its options are known once it is."]})
    fields = [field for field in FIELDS[analysis.kind] if field in NARROWABLE]
    offered = offered_values(part_choices(analysis.kind, offer or network_offer()))
    errors: dict[str, list[str]] = {}
    clean: dict[str, list[str]] = {}
    for field, values in raw.items():
        where = f"{OPTIONS}.{str(field)[:40]}"
        if field not in fields:
            errors[where] = [f"Not an option of this part; its options are: {', '.join(fields)}."]
            continue
        if not isinstance(values, list | tuple) or not values or len(values) > NARROWING_MAX:
            errors[where] = [f"A list of 1 to {NARROWING_MAX} values."]
            continue
        keys = [narrowing_key(field, v) for v in values if isinstance(v, str | int | float)]
        unknown = [key for key in keys if key not in offered[field]] + ["?"] * (len(values) - len(keys))
        if unknown:
            choices = ", ".join(sorted(offered[field])) or "none"
            errors[where] = [f"Not offered for this part: {', '.join(unknown[:5])}. Offered: {choices}."]
            continue
        clean[str(field)] = sorted(set(keys))
    if errors:
        raise ValidationError(errors)
    return clean


def _require_cad_product(template: ProductTemplate) -> None:
    if not template.is_cad_product:
        raise TemplateNotFound("No such CAD product.")


@transaction.atomic
def cad_product_create(*, actor, designer, upload_id, definition: Mapping) -> ProductTemplate:
    """A new product of `designer` made of one of its members' uploads, as a version-1 draft (the options it
    offers in `definition["options"]`, narrowing_clean; none named: all the network offers)."""
    upload = upload_get_for_designer(actor=actor, designer=designer, upload_id=upload_id)
    fields = _product_definition(definition)
    fields.setdefault("name", upload.name)
    fields.setdefault("category", "Parts")
    narrowing = narrowing_clean(upload=upload, raw=definition.get(OPTIONS))
    template = template_draft_create(actor=actor, designer=designer, definition=fields)
    template.part_upload = upload
    template.part_options = narrowing
    template.save(update_fields=["part_upload", "part_options", "updated_at"])
    return template


@transaction.atomic
def cad_product_update(*, actor, designer, template: ProductTemplate, definition: Mapping) -> ProductTemplate:
    """Changes a draft CAD product: its product fields, its options (`options`) and even its part (`upload`: another
    upload of the designer's). Refused (409) once submitted or published, like any version."""
    template_require_author(actor=actor, designer=designer, template=template)
    _require_cad_product(template)
    fields = _product_definition(definition)
    locked = template_draft_update(actor=actor, designer=designer, template=template, definition=fields)
    upload = locked.part_upload
    if definition.get(UPLOAD) not in (None, "", str(locked.part_upload_id)):
        upload = upload_get_for_designer(actor=actor, designer=designer, upload_id=definition[UPLOAD])
    if OPTIONS in definition:
        locked.part_options = narrowing_clean(upload=upload, raw=definition[OPTIONS])
    elif upload.pk != locked.part_upload_id:
        locked.part_options = {}  # another part: its options are chosen again
    locked.part_upload = upload
    locked.save(update_fields=["part_upload", "part_options", "updated_at"])
    return locked


def cad_product_compile(
    *, template: ProductTemplate, options: Mapping[str, object], offer: Offer | None = None
) -> CompiledPart:
    """The product's part with a customer's options, checked against what the network offers within the
    designer's choice (InvalidPartOptions: 400 keyed by option) and compiled (PartUnmakeable, PartNotReady)."""
    _require_cad_product(template)
    return part_compile(
        upload=template.part_upload, options=options, offer=offer, narrowing=template.part_options
    )


def cad_product_configuration(
    *, template: ProductTemplate, values: Mapping[str, object], offer: Offer | None = None
) -> ValidConfiguration:
    """A customer's options as the catalog's customer API checks any product's values: the part compiled with
    them (cad_product_compile, the page's check), an option outside the designer's choice a 400 keyed by that
    option under "values" (InvalidConfiguration)."""
    with _options_as_values():
        compiled = cad_product_compile(template=template, options=values, offer=offer)
    return ValidConfiguration(values=compiled.options, operations=compiled.operations)


@contextmanager
def _options_as_values():
    """InvalidPartOptions (keyed under "options", as the part APIs take them) as the catalog API's
    InvalidConfiguration (keyed under "values", as its requests carry them)."""
    try:
        yield
    except InvalidPartOptions as error:
        raise InvalidConfiguration(error.errors) from None


def cad_product_options_schema(*, template: ProductTemplate, offer: Offer | None = None) -> dict:
    """The options customers may choose now, within the designer's choice, as the JSON Schema of the values the
    customer API takes: each option's allowed values (an enum), and under "x-choices" which values go together
    (part_choices: the materials of each process, the colours of each material, …)."""
    _require_cad_product(template)
    analysis = part_analysis(template.part_upload)
    if analysis is None:
        return {"type": "object", "properties": {}, "x-choices": {"processes": []}}
    choices = part_choices_narrow(
        part_choices(analysis.kind, offer or network_offer()), template.part_options
    )
    offered = offered_values(choices, key=lambda _field, value: value)
    allowed = {field: sorted(offered.get(field, ())) for field in FIELDS[analysis.kind]}
    properties = {}
    for field, values in allowed.items():
        if field in (BENDING, COATING):
            properties[field] = {"type": "boolean", "default": False}
        elif field == INFILL:
            properties[field] = {"type": "integer", "enum": values}
        elif field == THICKNESS:
            properties[field] = {"type": "number", "enum": values}
        else:
            properties[field] = {"type": "string", "enum": values}
    return {
        "type": "object",
        "properties": properties,
        "required": ["process", "material"],
        "x-choices": choices,
    }


def cad_product_default_options(*, template: ProductTemplate, offer: Offer | None = None) -> dict | None:
    """The first choice customers see (within the designer's options), or None when none is offered."""
    _require_cad_product(template)
    analysis = part_analysis(template.part_upload)
    if analysis is None:
        return None
    return part_options_default(
        analysis.kind, offer or network_offer(), analysis.features, narrowing=template.part_options
    )


def cad_product_issues(template: ProductTemplate, *, offer: Offer | None = None) -> list[Issue]:
    """What stops the product from being submitted or published: the part still analysing, unreadable or with
    errors the customer could not fix either, or no option the network can make it with (`offer`: the
    network's, when the caller has it already)."""
    upload = template.part_upload
    if upload.status != UploadStatus.READY:
        message = (
            f"The file could not be analysed: {upload.error_message}"
            if upload.status == UploadStatus.FAILED
            else "The file is still being analysed."
        )
        return [Issue(PART, -1, "", message)]
    offer = offer or network_offer()
    first = cad_product_default_options(template=template, offer=offer)
    if first is None:
        return [Issue(OPTIONS, -1, "", "The network offers none of the options chosen for this part.")]
    try:
        cad_product_compile(template=template, options=first, offer=offer)
    except PartNotReady as error:
        return [Issue(PART, -1, "", str(error))]
    except PartUnmakeable as error:
        return [Issue(PART, -1, "", f.message) for f in error.findings]
    return []


def cad_product_get_published(*, slug: str) -> ProductTemplate:
    """The storefront's CAD product at `slug` (published, active), or Http404."""
    template = (
        ProductTemplate.objects.select_related("designer", "part_upload__file", "part_upload__repaired_file")
        .filter(slug=slug, status=TemplateStatus.PUBLISHED, active=True, part_upload__isnull=False)
        .first()
    )
    if template is None:
        raise Http404("No such product.")
    return template


@transaction.atomic
def cad_product_design_save(
    *,
    actor,
    template: ProductTemplate,
    options: Mapping[str, object],
    name: str = "",
    design: Design | None = None,
    new: bool = False,
) -> DesignVersion:
    """A customer's choice of options for a published CAD product as a version of their design of it (created on
    the first save; the same options against unchanged rates return the current version). The order line that
    takes it pins this very version of the product (`name`: the design's, the product's by default; `design`:
    the customer's design to version, their latest of the product when not given; `new`: a new design, as the
    designs API's create asks). Raises InvalidPartOptions, PartUnmakeable or PartNotReady."""
    if not is_signed_in(actor):
        raise Http404("No such product.")
    locked = ProductTemplate.objects.select_for_update().filter(pk=template.pk).first()
    if locked is None or not locked.is_cad_product or locked.status != TemplateStatus.PUBLISHED:
        raise Http404("No such product.")
    if not locked.active:
        raise Http404("No such product.")
    compiled = cad_product_compile(template=locked, options=options)
    if design is not None and (design.owner_id != actor.pk or design.template_id != locked.pk):
        raise Http404("No such design.")
    if design is None and not new:
        design = locked.designs.filter(owner=actor).order_by("-updated_at", "-pk").first()
    return design_compiled_save(
        owner=actor,
        template=locked,
        name=name or (design.name if design else locked.name),
        values=compiled.options,
        operations=compiled.operations,
        design=design,
    )


def cad_product_design_save_values(
    *,
    actor,
    template: ProductTemplate,
    values: Mapping[str, object],
    name: str = "",
    design: Design | None = None,
    new: bool = False,
) -> DesignVersion:
    """cad_product_design_save for the catalog's designs API: an option outside the designer's choice is a 400
    keyed by option under "values"."""
    with _options_as_values():
        return cad_product_design_save(
            actor=actor, template=template, options=values, name=name, design=design, new=new
        )
