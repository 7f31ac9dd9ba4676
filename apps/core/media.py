"""Serves a network's uploaded files on its own host, and only its own.

Uploads are stored per schema (django-tenants' TenantFileSystemStorage: <MEDIA_ROOT>/<schema>/…, URL
/media/<schema>/…). The schema in the URL must be the one the host resolved to, and the file is opened through the
current network's storage, so another network's file cannot be reached by editing the URL or by `..`."""

import mimetypes

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.db import connection
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

# Only what the platform itself stores as uploads; anything else is never served inline.
INLINE_TYPES = {"image/jpeg", "image/png", "image/webp"}


@require_GET
def tenant_media(request, schema: str, path: str):
    if schema != connection.schema_name:
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
    response["Cache-Control"] = "private, max-age=3600"
    return response
