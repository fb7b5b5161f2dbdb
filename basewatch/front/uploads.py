"""File uploads with a size limit that holds before the file is kept (ADS-B traces, spreadsheets).

A view decorated with `size_limited` has the handler installed before anything reads the
request body: once the upload passes the limit, the rest of the request is read and dropped,
never kept whole, and the form says the file was too large instead of finding no file.
"""

from __future__ import annotations

from functools import wraps

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.views.decorators.csrf import csrf_exempt, csrf_protect


class UploadSizeLimit(FileUploadHandler):
    """Stops an upload once it passes the bytes in the setting `limit_setting` names."""

    too_big = False

    def __init__(self, request, limit_setting: str):
        super().__init__(request)
        self.limit_setting = limit_setting

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > getattr(settings, self.limit_setting):
            self.too_big = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the handlers after this one keep the file


def size_limited(limit_setting: str):
    """A view taking an upload, passed the UploadSizeLimit it runs under as `limit`.

    The limit is in place before anything reads the request body, the CSRF check included:
    the middleware is told to skip the view, and the check runs inside, after the limit.
    """

    def decorate(view):
        checked = csrf_protect(view)

        @csrf_exempt
        @wraps(view)
        def limited(request, *args, **kwargs):
            limit = UploadSizeLimit(request, limit_setting)
            request.upload_handlers.insert(0, limit)
            return checked(request, *args, limit=limit, **kwargs)

        return limited

    return decorate


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
