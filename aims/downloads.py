"""The one way a file leaves AIMS: job results (reports, evidence packs), list exports, uploaded
evidence and the published signing keys all answer through `download`.

Whatever a file holds, the browser saves it rather than renders it (`attachment`, `nosniff`), under a
name that cannot break the header or point into a folder; and no proxy or shared browser cache keeps a
copy of a register, a report or a piece of evidence (`private, no-store`)."""

import mimetypes
import unicodedata
from pathlib import Path
from typing import BinaryIO

from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header

from aims.files import original_name

PRIVATE = "private, no-store"
MAX_NAME = 150


def safe_download_name(name: str, fallback: str = "download.bin") -> str:
    """`name` as a file name a browser saves as it is: nothing invisible or that would end the header (a
    newline, a right-to-left override disguising the extension), then the rule every stored name follows
    (`files.original_name`: no folders, no leading dots, shortened with the extension kept)."""
    text = unicodedata.normalize("NFC", str(name or ""))
    text = "".join(" " if unicodedata.category(c)[0] in "CZ" and c != " " else c for c in text)
    text = " ".join(text.replace('"', "'").split())
    return original_name(text, MAX_NAME) if text.strip(" ./\\") else fallback


def download(
    content: bytes | str | Path | BinaryIO,
    filename: str,
    *,
    content_type: str | None = None,
    cache_control: str = PRIVATE,
    inline: bool = False,
) -> HttpResponse:
    """`content` (bytes, text, or a stored file, streamed: its path or an open binary file) as a file
    named `filename`.

    The caller has already decided that the person may have it. `inline` is only for content that is
    harmless to show in a tab (the public signing keys)."""
    name = safe_download_name(filename)
    content_type = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    if isinstance(content, Path):
        content = content.open("rb")
    if hasattr(content, "read"):
        response = FileResponse(content, content_type=content_type)
    else:
        response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = cache_control
    return response
