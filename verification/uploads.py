"""Census files are read in memory and never written anywhere: an upload handler that keeps
the file in memory up to a cap and drops whatever exceeds it (the form then says the file
is too big), for the one view that takes census files.

Limits of the guarantee (docs/privacy.md): Django's ASGI handler spools a request body over
FILE_UPLOAD_MAX_MEMORY_SIZE (5 MB) to a temporary file before any view runs, and a proxy
may buffer large bodies to disk too; the deployment caps the body of this URL at the proxy.
"""

from io import BytesIO

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers

from .census import MAX_FILE_BYTES


class CappedMemoryUploadHandler(FileUploadHandler):
    """Every file in memory, whatever the request's length; a file over `max_bytes` is
    dropped as it arrives (never buffered past the cap) and `request.upload_too_big` set."""

    max_bytes = MAX_FILE_BYTES

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.file = BytesIO()
        self.too_big = False
        raise StopFutureHandlers()

    def receive_data_chunk(self, raw_data, start):
        if self.too_big:
            return None
        if start + len(raw_data) > self.max_bytes:
            self.too_big = True
            self.request.upload_too_big = True
            self.file = BytesIO()  # let go of what was read
            return None
        self.file.write(raw_data)
        return None

    def file_complete(self, file_size):
        if self.too_big:
            return None
        self.file.seek(0)
        return InMemoryUploadedFile(
            file=self.file,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )


def keep_uploads_in_memory(request) -> bool:
    """Install the in-memory handler before anything reads the body. Returns False when the
    body was already parsed (a middleware read request.POST first); the view then checks
    the files it got (`only_in_memory`)."""
    if hasattr(request, "_files"):
        return False
    request.upload_handlers = [CappedMemoryUploadHandler(request)]
    return True


def only_in_memory(request) -> bool:
    """Every uploaded file of the request is in memory and under the cap; any other (a
    temporary file of Django's default handlers) is closed, which deletes it."""
    fine = not getattr(request, "upload_too_big", False)
    for upload in request.FILES.values():
        if not isinstance(upload, InMemoryUploadedFile) or upload.size > MAX_FILE_BYTES:
            fine = False
            upload.close()
    return fine
