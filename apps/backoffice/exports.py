"""The owner's copy of all of the network's data: one zip with a CSV file per table (orders, designs, participants,
their resources, plans, the ledger, statements, Stripe events…) and a README saying what each file is.

Only the network's owner may ask for one or download it: it holds every customer's and supplier's personal data.
Secrets never leave: password and token hashes, encrypted Stripe keys and sessions are left out. The file is built by
a task (a large network takes a while), kept in the network's private storage under `exports/`, which no media URL
serves, and streamed by a view that checks the owner again.
"""

from __future__ import annotations

import io
import itertools
import tempfile
import zipfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from apps.accounts.access import is_network_owner
from apps.backoffice.models import ExportStatus, NetworkExport
from apps.core.csv_export import csv_write
from apps.core.transitions import transition_if
from apps.outbox.services import outbox_enqueue
from apps.tenants.selectors import tenant_current

EXPORT_TASK = "backoffice.network_export_build"
FOLDER = "exports"
LEFT_OUT_MODELS = {
    "sessions.session",  # live sign-ins
    "contenttypes.contenttype",
    "auth.permission",
    "auth.group_permissions",
    "accounts.user_user_permissions",
    "backoffice.networkexport",
}
ROWS_PER_READ = 2000


def _is_secret(column: str) -> bool:
    return column == "password" or column.endswith(("_hash", "_encrypted"))


def _tenant_app_labels() -> set[str]:
    return {config.label for config in apps.get_app_configs() if config.name in settings.TENANT_APPS}


def _exported_models() -> list:
    labels = _tenant_app_labels()
    models = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in labels and model._meta.label_lower not in LEFT_OUT_MODELS
    ]
    return sorted(models, key=lambda model: model._meta.label_lower)


def network_export_request(*, actor) -> NetworkExport:
    """Asks for a new export; the owner's only (fail closed for anyone else)."""
    if not is_network_owner(actor):
        raise PermissionDenied("Only the network's owner can export its data.")
    with transaction.atomic():
        export = NetworkExport.objects.create(requested_by=actor)
        outbox_enqueue(
            task_name=EXPORT_TASK, kwargs={"export_id": str(export.pk)}, dedup_key=f"export:{export.pk}"
        )
    return export


def _readme(tables: list[tuple[str, str, int]]) -> str:
    lines = [
        f"All data of the network {tenant_current().name!r}, exported {timezone.now():%Y-%m-%d %H:%M %Z}.",
        "",
        "One CSV file per table (UTF-8, comma-separated, a header row with the column names). Columns ending in",
        "_id refer to the id column of another file. Amounts ending in _minor are in the currency's smallest unit",
        "(cents), with the currency in the column beside them. Text that a spreadsheet would run as a formula",
        "(starting with = + - @) starts with a ' instead. Passwords, token hashes, encrypted keys and sign-in",
        "sessions are left out.",
        "",
        "file | what it holds | rows",
    ]
    lines += [f"{file} | {name} | {rows}" for file, name, rows in tables]
    return "\n".join(lines) + "\n"


def _write_table(archive: zipfile.ZipFile, model) -> tuple[str, int]:
    columns = [field.attname for field in model._meta.concrete_fields if not _is_secret(field.attname)]
    file_name = f"{model._meta.app_label}/{model._meta.db_table}.csv"
    values = model._base_manager.order_by("pk").values_list(*columns).iterator(chunk_size=ROWS_PER_READ)
    with archive.open(file_name, "w") as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as text:
        rows = csv_write(text, itertools.chain([columns], values))
    return file_name, rows


def network_export_build(*, export_id: str) -> NetworkExport | None:
    """Builds the file of a PREPARING export (a redelivered task finds it built and does nothing)."""
    export = NetworkExport.objects.filter(pk=export_id, status=ExportStatus.PREPARING).first()
    if export is None:
        return None
    try:
        with tempfile.TemporaryDirectory() as work:
            path = Path(work) / "export.zip"
            tables = []
            with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for model in _exported_models():
                    file_name, rows = _write_table(archive, model)
                    tables.append((file_name, str(model._meta.verbose_name_plural), rows))
                archive.writestr("README.txt", _readme(tables))
            with path.open("rb") as handle:
                stored = default_storage.save(f"{FOLDER}/{export.pk}.zip", File(handle))
            size = path.stat().st_size
    except Exception as error:
        transition_if(
            NetworkExport,
            export.pk,
            ExportStatus.PREPARING,
            ExportStatus.FAILED,
            error=f"{type(error).__name__}: {error}"[:1000],
            finished_at=timezone.now(),
        )
        raise
    transition_if(
        NetworkExport,
        export.pk,
        ExportStatus.PREPARING,
        ExportStatus.READY,
        file_name=stored,
        size_bytes=size,
        table_count=len(tables),
        row_count=sum(rows for _, _, rows in tables),
        finished_at=timezone.now(),
    )
    return NetworkExport.objects.get(pk=export.pk)


def network_export_open(*, actor, export_id) -> tuple[NetworkExport, File]:
    """The owner's ready export and its file; NetworkExport.DoesNotExist for anyone else, or if not ready."""
    if not is_network_owner(actor):
        raise NetworkExport.DoesNotExist
    export = NetworkExport.objects.get(pk=export_id, status=ExportStatus.READY)
    return export, default_storage.open(export.file_name, "rb")
