"""A request-level size limit for CAD uploads: Django would otherwise spool a file of any size to disk before a
view sees it. Install `SizeLimitedUploadHandler` first on the request (before reading its body); once the files'
bytes pass the limit it stops keeping them (the rest of the body is read and dropped, so the client still gets
an answer) and the view answers with the error of `too_large_error()`."""

from __future__ import annotations

from django.core.files.uploadhandler import FileUploadHandler, StopUpload

from apps.uploads.storage import max_upload_bytes


class SizeLimitedUploadHandler(FileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        self.limit = max_upload_bytes()
        self.received = 0
        self.exceeded = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler (memory or temporary file) makes the file


def upload_size_limit_install(request) -> SizeLimitedUploadHandler:
    """Puts the limit in front of the request's upload handlers; call before anything reads the body."""
    handler = SizeLimitedUploadHandler(request)
    request.upload_handlers.insert(0, handler)
    return handler
