"""An analysed upload plus the customer's options → a catalog design: `part_compile` checks and compiles them
against the network's rates (shared by the quote API and the pages), `part_design_save` keeps the result as a
new immutable DesignVersion of the part's Design (template: the network's hidden part template of its kind,
owner: the customer), which carts, checkout and orders take like any design version.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404

from apps.accounts.access import is_signed_in
from apps.catalog.compile import Operation
from apps.catalog.models import DesignVersion
from apps.catalog.part_templates import part_template_ensure
from apps.catalog.services import design_compiled_save
from apps.core.errors import NON_FIELD, Conflict, InvalidInput, service_error_fields
from apps.suppliers.selectors import network_settings
from apps.uploads.analysis.result import Analysis, Finding, PartKind, Severity
from apps.uploads.checks import part_findings
from apps.uploads.models import PartUpload
from apps.uploads.offer import Offer, network_offer
from apps.uploads.operations import RateMissing, part_operations
from apps.uploads.options import MATERIAL, PROCESS, THICKNESS, part_options_clean
from apps.uploads.status import UploadStatus
from apps.uploads.viewing import part_analysis

GENERIC_THIN_WALL = "mesh_thin_wall"


class InvalidPartOptions(InvalidInput):
    """Options the network does not offer for this part: a 400 with the messages keyed by option under
    "options", e.g. {"options": {"material": ["FDM 3D printing works: PLA, PETG."]}}."""

    def __init__(self, error: ValidationError):
        self.errors = service_error_fields(error)
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in self.errors.items()))

    @property
    def field_errors(self) -> dict:
        return {"options": self.errors}


class PartNotReady(Conflict):
    """The upload has no usable analysis yet (still analysing, or the file could not be read)."""

    code = "part_not_ready"

    def __init__(self, upload: PartUpload):
        self.status = upload.status
        message = {
            UploadStatus.FAILED: f"The file could not be analysed: {upload.error_message}",
        }.get(upload.status, "The file is still being analysed; try again in a moment.")
        super().__init__(message)

    def conflict_details(self) -> dict:
        return {"code": self.code, "status": self.status}


class PartUnmakeable(Conflict):
    """The part cannot be made as it is (the analysis's errors) or with these options in this network (the
    network's findings): 409 with every error finding, each saying where and what to change."""

    code = "unmakeable"

    def __init__(self, findings: tuple[Finding, ...]):
        self.findings = findings
        super().__init__(" ".join(dict.fromkeys(f.message for f in findings)))

    def conflict_details(self) -> dict:
        return {"code": self.code, "findings": [asdict(f) for f in self.findings]}


@dataclass(frozen=True)
class CompiledPart:
    kind: PartKind
    analysis: Analysis
    options: dict
    findings: tuple[Finding, ...]  # the analysis's and the network's, errors first
    operations: tuple[Operation, ...]


def part_analysis_ready(upload: PartUpload) -> Analysis:
    """The upload's analysis, or PartNotReady (the pages' part_analysis answers None instead)."""
    analysis = part_analysis(upload)
    if analysis is None:
        raise PartNotReady(upload)
    return analysis


def part_compile(
    *,
    upload: PartUpload,
    options: Mapping[str, object],
    offer: Offer | None = None,
    narrowing: Mapping | None = None,
) -> CompiledPart:
    """Checks the options against what the network offers (InvalidPartOptions), within `narrowing` for a
    designer's CAD product, the part against the network (PartUnmakeable when the analysis or the network finds
    an error) and compiles its operations."""
    analysis = part_analysis_ready(upload)
    offer = offer or network_offer()
    try:
        clean = part_options_clean(analysis.kind, options, offer, analysis.features, narrowing=narrowing)
    except ValidationError as error:
        raise InvalidPartOptions(error) from None
    network = part_findings(analysis.kind, analysis.features, clean, offer, analysis.extra)
    rate = offer.rate_for(str(clean[PROCESS]), str(clean[MATERIAL]), float(clean.get(THICKNESS) or 0))
    # The analyser's generic thin-wall warning gives way to the chosen process's own minimum (checks.py).
    own = [f for f in analysis.findings if not (f.code == GENERIC_THIN_WALL and rate and rate.min_wall_mm)]
    findings = tuple(sorted((*own, *network), key=lambda f: f.severity != Severity.ERROR))
    errors = tuple(f for f in findings if f.severity == Severity.ERROR)
    if errors:
        raise PartUnmakeable(errors)
    try:
        operations = part_operations(analysis.kind, analysis.features, clean, offer)
    except RateMissing as error:  # the rates changed between reading the offer and now: ask again
        raise InvalidPartOptions(ValidationError({NON_FIELD: str(error)})) from None
    return CompiledPart(analysis.kind, analysis, clean, findings, operations)


@transaction.atomic
def part_design_save(*, actor, upload: PartUpload, options: Mapping[str, object]) -> DesignVersion:
    """The customer's part with these options as a new version of its design (created on the first save and
    linked to the upload); saving the same options against unchanged rates returns the current version.

    Only the upload's owner may save it (anyone else: Http404, as for a missing upload). Raises PartNotReady,
    InvalidPartOptions or PartUnmakeable; nothing is saved then."""
    locked = PartUpload.objects.select_for_update().filter(pk=upload.pk).first()
    if locked is None or not is_signed_in(actor) or locked.owner_id != actor.pk:
        raise Http404("No such upload.")
    compiled = part_compile(upload=locked, options=options)
    template = part_template_ensure(kind=compiled.kind, currency=network_settings().currency)
    design = locked.design if locked.design_id and locked.design.template_id == template.pk else None
    version = design_compiled_save(
        owner=actor,
        template=template,
        name=locked.name,
        values=compiled.options,
        operations=compiled.operations,
        design=design,
    )
    if locked.design_id != version.design_id:
        PartUpload.objects.filter(pk=locked.pk).update(design=version.design)
    upload.design_id = version.design_id
    return version
