"""Writes of uploaded parts: receive a file, change its units, ask for a repair, delete it.

Every service takes the acting user and fails closed: only the uploading customer changes an upload (staff read,
apps/uploads/access.py). The analysis itself runs in the task `uploads.analyse` (apps/uploads/analysing.py),
enqueued through the outbox in the same transaction as the change that asks for it, so a rolled-back upload
never reaches a worker and a committed one is never forgotten.
"""

from __future__ import annotations

from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q

from apps.accounts.access import is_signed_in
from apps.accounts.roles import Role
from apps.catalog.models import EDITABLE_STATUSES
from apps.core.errors import Conflict
from apps.core.transitions import transition, transition_if
from apps.outbox.services import outbox_enqueue
from apps.uploads.analyser import format_sniff
from apps.uploads.analysis.result import AnalysisError, FileFormat, Units
from apps.uploads.analysis.sniff import FORMAT_OF_EXTENSION
from apps.uploads.models import CadFile, PartUpload
from apps.uploads.status import UploadStatus, sources_of
from apps.uploads.storage import StagedFile, original_name, staged_upload, storage_put

ANALYSE_TASK = "uploads.analyse"
ACCEPTED = "STL, 3MF, OBJ, DXF or STEP"


class UploadNotRepairable(Conflict):
    """A repair was asked of an upload that has no finding the platform can repair (or is not analysed yet)."""


class UploadInUse(Conflict):
    """The upload became a design (it may be in a cart or an order, whose suppliers need the file): kept."""


def upload_transition(*, upload_id, to: str, run: int | None = None, **fields) -> None:
    """The one writer of PartUpload.status: compare-and-swap from any state TRANSITIONS allows into `to` (and,
    with `run`, only while that analysis run is the current one); raises InvalidTransition otherwise."""
    rows = PartUpload.objects.all() if run is None else PartUpload.objects.filter(analysis_run=run)
    transition(rows, upload_id, sources_of(to), to, **fields)


def upload_transition_if(*, upload_id, to: str, run: int, **fields) -> bool:
    """upload_transition() for the analysis task, to which "a newer run took over" is a normal outcome."""
    rows = PartUpload.objects.filter(analysis_run=run)
    return transition_if(rows, upload_id, sources_of(to), to, **fields)


def _require_customer(actor) -> None:
    """Customers upload their own parts; designers' members the parts of their CAD products (products.py)."""
    if not (is_signed_in(actor) and (actor.has_role(Role.CUSTOMER) or actor.has_role(Role.DESIGNER_MEMBER))):
        raise PermissionDenied("Only a signed-in customer may upload a design.")


def _require_owner(actor, upload: PartUpload) -> None:
    """Who may change an upload: the customer who uploaded it; once it is the part of a designer's product, the
    designer's current members instead. The tie is the product's (as for reading its files, access.py): a member
    who leaves takes no product's part with them, and the others keep working on it."""
    if not is_signed_in(actor):
        raise PermissionDenied("Only the customer who uploaded this part may change it.")
    products = upload.products.all()
    if products.exists():
        if not products.filter(designer__members__user_id=actor.pk).exists():
            raise PermissionDenied(
                "This part is a designer's product: only the designer's members may change it."
            )
    elif upload.owner_id != actor.pk:
        raise PermissionDenied("Only the customer who uploaded this part may change it.")


def upload_frozen_check(upload: PartUpload) -> None:
    """A designer's part submitted for review or published as a product never changes (its versions are
    immutable): no new units, no repair (UploadInUse, 409)."""
    if upload.products.exclude(status__in=EDITABLE_STATUSES).exists():
        raise UploadInUse(
            "This part is in a product submitted for review or published, which never changes: upload the file "
            "again for a new version of the product."
        )


def units_parse(value, *, required: bool) -> Units | None:
    """The units a request names ("mm" or "inch"), None when it names none and none are required."""
    if value in (None, ""):
        if required:
            raise ValidationError(
                {"units": ValidationError("Choose the units: mm or inch.", code="required")}
            )
        return None
    try:
        return Units(str(value).strip().lower())
    except ValueError:
        raise ValidationError(
            {"units": ValidationError("Units are mm or inch.", code="invalid_choice")}
        ) from None


def _file_name(uploaded_file) -> str:
    """The uploader's file name without any folder, for display only (it never becomes a path)."""
    raw = str(getattr(uploaded_file, "name", "") or "")
    name = PurePath(raw.replace("\\", "/")).name.replace("\x00", "").strip()
    return name[-255:]


def _claimed_format(name: str) -> FileFormat:
    extension = PurePath(name).suffix.lower()
    if extension not in FORMAT_OF_EXTENSION:
        raise ValidationError(
            {
                "file": ValidationError(
                    "Upload an %(accepted)s file; %(what)s is not one.",
                    code="bad_type",
                    params={
                        "accepted": ACCEPTED,
                        "what": f"a {extension} file" if extension else "a nameless file",
                    },
                )
            }
        )
    return FORMAT_OF_EXTENSION[extension]


def _content_format(staged: StagedFile, file_name: str) -> FileFormat:
    """The format the content has, which must be the one the name claims (apps.uploads.analysis.sniff decides:
    nothing else is ever read as CAD)."""
    try:
        return format_sniff(staged.path, filename=file_name)
    except AnalysisError as error:
        raise ValidationError({"file": ValidationError(error.message, code=error.code)}) from None


def cad_file_store(staged: StagedFile, file_format: FileFormat) -> CadFile:
    """The stored blob of `staged`'s content: the existing one (same sha256), or a new one written now.

    Call inside a transaction. The row is locked until commit, so deleting the last upload of the same content
    (cad_file_release) cannot remove it under this new reference."""
    name = original_name(staged.sha256, file_format)
    for _ in range(2):
        blob, _created = CadFile.objects.get_or_create(
            sha256=staged.sha256, defaults={"size": staged.size, "format": file_format, "stored_name": name}
        )
        locked = CadFile.objects.select_for_update().filter(pk=blob.pk).first()
        if locked is not None:  # else a release deleted it between the two statements: create it again
            storage_put(locked.stored_name, staged.path)
            return locked
    raise RuntimeError(f"The stored file {staged.sha256} kept disappearing.")


def cad_file_release(blob_id: int) -> None:
    """Deletes a blob and its stored files once no upload refers to it. Call inside a transaction."""
    blob = CadFile.objects.select_for_update().filter(pk=blob_id).first()
    if blob is None or PartUpload.objects.filter(Q(file=blob) | Q(repaired_file=blob)).exists():
        return
    folder = blob.folder
    blob.delete()
    # Inside the transaction, under the row lock: an upload of the same bytes waiting on that lock writes the
    # files again after this commits.
    try:
        _folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        files = []
    for name in files:
        default_storage.delete(f"{folder}/{name}")


def _analysis_enqueue(upload: PartUpload, *, repair: bool = False) -> None:
    """Asks a worker to analyse the upload's current run (after commit, through the outbox)."""
    outbox_enqueue(
        task_name=ANALYSE_TASK,
        kwargs={"upload_id": str(upload.pk), "run": upload.analysis_run, "repair": repair},
        dedup_key=f"{ANALYSE_TASK}:{upload.pk}:{upload.analysis_run}",
    )


def upload_create(*, actor, uploaded_file, units=None, name: str = "") -> PartUpload:
    """Receives a customer's CAD file: streamed and hashed within the size limit, checked by content (it must be
    the format its name says), stored once per content, and queued for analysis.

    `units` ("mm"/"inch") are the customer's choice; without them the file's own units apply, else millimetres
    (and the customer is asked). Bad input raises ValidationError on "file" or "units" with nothing written."""
    _require_customer(actor)
    if uploaded_file is None:
        raise ValidationError({"file": ValidationError("Choose a file to upload.", code="required")})
    chosen = units_parse(units, required=False)
    file_name = _file_name(uploaded_file)
    _claimed_format(file_name)  # a name we read, before a byte is received
    part_name = (str(name or "").replace("\x00", "").strip() or PurePath(file_name).stem.strip() or "Part")[
        :100
    ]
    with staged_upload(uploaded_file) as staged:
        file_format = _content_format(staged, file_name)
        with transaction.atomic():
            blob = cad_file_store(staged, file_format)
            upload = PartUpload.objects.create(
                owner=actor,
                file=blob,
                original_name=file_name,
                name=part_name,
                units=(chosen or Units.MM).value,
                units_chosen=chosen is not None,
                analysis_run=1,
            )
            _analysis_enqueue(upload)
    return upload


def _analysis_restart(upload: PartUpload, *, repair: bool = False, **fields) -> PartUpload:
    """Back to pending with a new run (a task of an older run then does nothing), and a task for it."""
    with transaction.atomic():
        upload_transition(
            upload_id=upload.pk, to=UploadStatus.PENDING, analysis_run=F("analysis_run") + 1, **fields
        )
        upload.refresh_from_db()
        _analysis_enqueue(upload, repair=repair)
    return upload


def upload_units_set(*, actor, upload: PartUpload, units) -> PartUpload:
    """The customer says which units the file is in (when the file does not say): they apply from now on and the
    part is analysed again, from the original (a repaired copy was made in the old units, so it goes)."""
    _require_owner(actor, upload)
    upload_frozen_check(upload)
    chosen = units_parse(units, required=True)
    if upload.units_from_file:
        raise ValidationError(
            {
                "units": ValidationError(
                    "The file states its units (%(units)s); they cannot be changed.",
                    code="units_from_file",
                    params={"units": upload.units},
                )
            }
        )
    with transaction.atomic():
        repaired = upload.repaired_file_id
        upload = _analysis_restart(upload, units=chosen.value, units_chosen=True, repaired_file=None)
        if repaired is not None:
            cad_file_release(repaired)
    return upload


def upload_repair(*, actor, upload: PartUpload) -> PartUpload:
    """Asks for the automatic repair of what the analysis found repairable (a mesh that is not watertight…).

    The worker repairs a copy in the sandbox, stores it as a blob of its own (the original stays as uploaded),
    analyses the copy and records what changed in `repairs`. Refused (409) before the analysis is ready or when
    nothing found is repairable."""
    _require_owner(actor, upload)
    upload_frozen_check(upload)
    if upload.status != UploadStatus.READY or not _has_repairable_finding(upload.analysis):
        raise UploadNotRepairable("This part has nothing the platform can repair automatically.")
    return _analysis_restart(upload, repair=True)


def _has_repairable_finding(analysis: dict | None) -> bool:
    return any(finding.get("repairable") for finding in (analysis or {}).get("findings", ()))


def upload_delete(*, actor, upload: PartUpload) -> None:
    """Deletes the customer's upload, and its stored files once no other upload has the same content. An upload
    that became a design is kept (carts, orders and their suppliers refer to it)."""
    _require_owner(actor, upload)
    with transaction.atomic():
        locked = PartUpload.objects.select_for_update().filter(pk=upload.pk).first()
        if locked is None:
            return
        if locked.design_id is not None:
            raise UploadInUse(
                "This part is saved as a design; it is kept for the orders and carts that use it."
            )
        if locked.products.exists():
            raise UploadInUse("This part is a product's part; it is kept for the product and its orders.")
        blobs = {locked.file_id, locked.repaired_file_id} - {None}
        locked.delete()
        for blob_id in sorted(blobs):
            cad_file_release(blob_id)
