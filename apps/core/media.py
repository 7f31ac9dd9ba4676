"""Serves a network's uploaded files on its own host, and only its own, each to those who may read it.

Uploads are stored per schema (django-tenants' TenantFileSystemStorage: <MEDIA_ROOT>/<schema>/…, URL
/media/<schema>/…). The schema in the URL must be the one the host resolved to, and the file is opened through the
current network's storage, so another network's file cannot be reached by editing the URL or by `..`.

Who may read a file depends on the top folder it is stored under: each app that stores uploads registers its
folders with a check (`media_folder_register`) — the catalog's product pictures are public, a supplier's
certificates or a job's photos are for its parties and the network's staff. This view checks, then streams. A file
under a folder nobody registered is served to no one (fail closed), and "not yours" answers like "missing" (404).
"""

from __future__ import annotations

import mimetypes
import posixpath
from collections.abc import Callable

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.db import connection
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

# Only what the platform itself stores as uploads; anything else is never served inline.
INLINE_TYPES = {"image/jpeg", "image/png", "image/webp"}

# may_read(user, name) -> bool, with `name` the file's name in storage ("quality/12/ab….png").
MediaCheck = Callable[[object, str], bool]
_FOLDERS: dict[str, MediaCheck | None] = {}


def media_folder_register(folder: str, may_read: MediaCheck | None) -> None:
    """Declares who may read the files stored under `folder`: `None` for everyone (public pictures), else a check
    of the requesting user and the file's name. Called from an app's ready()."""
    if folder in _FOLDERS and _FOLDERS[folder] is not may_read:
        raise ValueError(f"The media folder {folder!r} is already registered with another check.")
    _FOLDERS[folder] = may_read


def _folder(name: str) -> str | None:
    """The registered top folder of a plain relative name; None for anything else ("catalog/../quality/…" would
    pass a public folder's check and open a private file)."""
    if posixpath.normpath(name) != name or name.startswith(("/", "..")):
        return None
    folder = name.split("/", 1)[0]
    return folder if folder in _FOLDERS else None


@require_GET
def tenant_media(request, schema: str, path: str):
    folder = _folder(path)
    if schema != connection.schema_name or folder is None:
        raise Http404("No such file.")
    check = _FOLDERS[folder]
    if check is not None and not check(request.user, path):
        raise Http404("No such file.")
    try:
        handle = default_storage.open(path, "rb")
    except (OSError, SuspiciousFileOperation, ValueError) as error:  # missing, a folder, or outside the root
        raise Http404("No such file.") from error
    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    inline = content_type in INLINE_TYPES
    response = FileResponse(
        handle,
        content_type=content_type if inline else "application/octet-stream",
        as_attachment=not inline,
    )
    # A private file is checked on every fetch: no cache (browser or proxy) may hand it to anyone else later.
    response["Cache-Control"] = "private, max-age=3600" if check is None else "private, no-store"
    return response
