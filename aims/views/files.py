"""Private uploads (training evidence, documents; ISO/IEC 42001 7.2 and 7.5.3): the only way a stored file
leaves the server, and the shared pieces a register with a file field uses on the way in.

A file is served only to someone who may see the record it belongs to, always as a download
(`Content-Disposition: attachment`, `nosniff`), so an uploaded file is never rendered by the browser."""

from pathlib import PurePosixPath

from django import forms
from django.http import FileResponse, Http404
from django.urls import reverse
from django.views import View

from aims import permissions
from aims.files import ALLOWED_TYPES, original_name
from aims.views.records import RecordMixin


def serve_private_file(request, record, field_name: str, name_field: str):
    """The file in `record.<field_name>` as an attachment named `record.<name_field>`; 404 when the
    person may not see the record or it has no file. Callers fetch the record with
    permissions.get_visible; the check here is repeated so no caller can forget it."""
    if not permissions.allowed(request.user, "view", record):
        raise Http404(f"No {record._meta.verbose_name} matches the given reference.")
    stored = getattr(record, field_name)
    if not stored or not stored.storage.exists(stored.name):
        raise Http404(f"{record.reference} has no file attached.")
    ext = PurePosixPath(stored.name).suffix.lower()
    return file_response(stored, getattr(record, name_field, "") or f"{record.reference}{ext}")


def file_response(stored, filename: str):
    """A stored private file as a download named `filename`. The caller has checked that the person may
    see the record the file belongs to (an earlier version of evidence is served this way too)."""
    ext = PurePosixPath(stored.name).suffix.lower()
    response = FileResponse(
        stored.storage.open(stored.name, "rb"),
        as_attachment=True,
        filename=original_name(filename),  # names stored before they were made safe and short, too
        content_type=ALLOWED_TYPES.get(ext, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"  # evidence must not linger in shared caches
    return response


class PrivateFileView(RecordMixin, View):
    """GET <prefix>/<reference>/<file>/: a register names its model and the two fields."""

    field_name = ""
    name_field = ""

    def get(self, request, *args, **kwargs):
        return serve_private_file(request, self.get_record(), self.field_name, self.name_field)


class FileDetailMixin:
    """For a RecordDetailView: a download button under the details (templates/registers/file_detail.html)."""

    template_name = "registers/file_detail.html"
    file_field = ""
    name_field = ""
    sha_field = ""
    download_url_name = ""
    file_heading = "File"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record = context["record"]
        context["file_heading"] = self.file_heading
        if getattr(record, self.file_field):
            context["download_url"] = reverse(self.download_url_name, args=[record.reference])
            context["download_name"] = getattr(record, self.name_field) or "the file"
            context["download_sha256"] = getattr(record, self.sha_field)
        return context


class _CurrentFile:
    def __init__(self, url: str, name: str):
        self.url, self.name = url, name

    def __str__(self):
        return self.name


class PrivateFileInput(forms.ClearableFileInput):
    """The file input with "currently" and "clear": the current file is named by its original name and
    links to its download view, since private storage has no URL (FieldFile.url raises)."""

    def __init__(self, url_name: str, name_field: str, attrs=None):
        super().__init__(attrs)
        self.url_name, self.name_field = url_name, name_field

    def is_initial(self, value):
        return bool(value and getattr(value, "name", "") and getattr(value, "instance", None) is not None)

    def format_value(self, value):
        if not self.is_initial(value):
            return None
        record = value.instance
        url = reverse(self.url_name, args=[record.reference])
        return _CurrentFile(url, getattr(record, self.name_field, "") or PurePosixPath(value.name).name)
