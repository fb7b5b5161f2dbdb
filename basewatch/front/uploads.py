"""File uploads with a size limit that holds before the file is kept (ADS-B traces, spreadsheets).

A view installs the handler first, then reads the form: once the upload passes the limit, the
rest of the request is read and dropped, never kept whole, and the form says the file was too
large instead of finding no file.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload


class UploadSizeLimit(FileUploadHandler):
    """Stops an upload once it passes the bytes in the setting `limit_setting` names."""

    limit_setting = ""
    too_big = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > getattr(settings, self.limit_setting):
            self.too_big = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the handlers after this one keep the file


class LimitedUploadForm(forms.Form):
    """A form with a `file` its view's UploadSizeLimit may have cut off (`too_big`: no file arrived)."""

    limit_setting = ""
    limit_of = ""  # "a trace", "an import": what the limit is the limit for

    def __init__(self, *args, too_big: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_big = too_big
        self.fields["file"].required = not too_big

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        limit = getattr(settings, self.limit_setting)
        if self.too_big or (upload is not None and upload.size > limit):
            raise ValidationError(f"The file is larger than {limit:,} bytes, the limit for {self.limit_of}.")
        return upload
