"""Uploaded files (training evidence, documents): stored under PRIVATE_MEDIA_ROOT with a random name,
never at a public URL; checked for size and type on the way in; served only through a view that
checks the person may see the record the file belongs to (see aims.views.files)."""

import hashlib
import re
import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import UploadedFile
from django.utils.deconstruct import deconstructible

# What people attach as evidence or documents. Executables, HTML and scripts are refused.
ALLOWED_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".md": "text/markdown",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
# The first bytes each binary type must start with; text types are checked for being text instead.
MAGIC = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".pptx": (b"PK\x03\x04",),
}


@deconstructible
class PrivateStorage(FileSystemStorage):
    """FileSystemStorage rooted at PRIVATE_MEDIA_ROOT with no base URL: nothing is linkable."""

    def __init__(self):
        super().__init__(location=None, base_url=None)

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    def url(self, name):
        raise ValueError("Private files have no URL; serve them through aims.views.files.")


private_storage = PrivateStorage()


def upload_path(instance, filename: str) -> str:
    """uploads/<model>/<random>.<ext>: the name a person gave is kept on the record, not on disk."""
    ext = PurePosixPath(filename).suffix.lower()
    return f"uploads/{instance._meta.model_name}/{uuid.uuid4().hex}{ext}"


UNITS = (("MB", 1024**2), ("KB", 1024))


def size_text(size: int, decimals: int = 1, unit: str = "") -> str:
    """A size as people read it, in the binary units the limits are set in: 10485760 is "10 MB"."""
    factor = dict(UNITS)[unit] if unit else 0
    if not unit:
        unit, factor = next((u, f) for u, f in UNITS if size >= f or u == "KB")
    number = f"{size / factor:.{decimals}f}"
    if "." in number:
        number = number.rstrip("0").rstrip(".")
    return f"{number} {unit}"


def _read_as(text: str) -> float:
    number, unit = text.split()
    return float(number) * dict(UNITS)[unit]


def sizes_apart(size: int, limit: int) -> tuple[str, str]:
    """A file's size over the limit, and the limit, as texts in which the file reads larger: each in its
    own unit to one decimal as a rule; where rounding would make it read as no larger ("10.5 MB; the limit
    is 10.5 MB", or "1 MB" against "1024 KB"), both in the limit's unit with more decimals; exact bytes
    where even three decimals would not tell them apart."""
    size_shown, limit_shown = size_text(size), size_text(limit)
    if _read_as(size_shown) > _read_as(limit_shown):
        return size_shown, limit_shown
    unit = limit_shown.split()[1]
    for decimals in (2, 3):
        size_shown, limit_shown = size_text(size, decimals, unit), size_text(limit, decimals, unit)
        if _read_as(size_shown) > _read_as(limit_shown):
            return size_shown, limit_shown
    return f"{size:,} bytes", f"{limit:,} bytes"


def too_large(size: int, limit: int) -> str:
    """The refusal of a file above the size limit: its size and the limit, never reading alike."""
    size_shown, limit_shown = sizes_apart(size, limit)
    return f"The file is {size_shown}; the limit is {limit_shown}."


# Path separators (either kind: a browser on Windows may send C:\fakepath\x.pdf), control characters
# and the characters a Content-Disposition header or a file system trips over.
UNSAFE_IN_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
NAME_LIMIT = 200  # the file_name columns' max_length


def original_name(name: str, limit: int = NAME_LIMIT) -> str:
    """The name a person gave a file, as kept on the record and offered on download: the last path part,
    unsafe characters replaced, no leading dot, and the stem shortened so the extension (which tells the
    type) always survives."""
    name = re.split(r"[/\\]", str(name or ""))[-1]
    name = UNSAFE_IN_NAME.sub("-", name).strip(" .")
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext) > 10:  # no extension, or a "suffix" that is really text
        stem, ext = name, ""
    ext = f".{ext}" if ext else ""
    stem = stem[: max(limit - len(ext), 1)].rstrip(" .") or "file"
    return f"{stem}{ext}"[:limit]


def validate_upload(upload) -> None:
    """Size, extension and content must agree; a clear message names the problem."""
    limit = settings.MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ValidationError(too_large(upload.size, limit))
    ext = PurePosixPath(upload.name).suffix.lower()
    if ext not in ALLOWED_TYPES:
        raise ValidationError(
            f"Files of type '{ext or 'none'}' are not accepted. Allowed: {', '.join(sorted(ALLOWED_TYPES))}."
        )
    head = upload.read(2048)
    upload.seek(0)
    if ext in MAGIC:
        if not head.startswith(MAGIC[ext]):
            raise ValidationError(f"The file's content is not a {ext} file.")
    elif b"\x00" in head:
        raise ValidationError(f"The file's content is not text, as a {ext} file must be.")


def sha256_of(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def stored_file_fields(fields: dict, field_name: str, name_field: str, sha_field: str) -> dict:
    """Service side of an upload: a new file is validated (the API does not pass through the form) and
    its original name and SHA-256 recorded beside it; a cleared one clears both; no upload, no change."""
    fields = {k: v for k, v in fields.items() if k not in (name_field, sha_field)}
    value = fields.get(field_name)
    if isinstance(value, UploadedFile):
        try:
            validate_upload(value)
        except ValidationError as exc:
            raise ValidationError({field_name: exc.messages}) from exc
        fields[name_field] = original_name(value.name)
        fields[sha_field] = sha256_of(value)
    elif field_name in fields and not value:
        fields[field_name] = ""
        fields[name_field] = ""
        fields[sha_field] = ""
    else:
        fields.pop(field_name, None)  # the file already stored: leave it, and its history, alone
    return fields
