"""The KPI import's own CSV reader: size limit, UTF-8, and a semicolon or comma as the delimiter.
(Kept as it was; the registers' CSV readers are to be unified later.)"""

import csv
import io

MAX_BYTES = 512 * 1024


def read_csv(upload) -> tuple[list[list[str]], str]:
    if upload.size > MAX_BYTES:
        raise ValueError(f"The file is {upload.size // 1024} KB; the limit is {MAX_BYTES // 1024} KB.")
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValueError(f"The file is larger than the limit of {MAX_BYTES // 1024} KB.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("The file is not UTF-8 text. Save it as 'CSV UTF-8' and upload it again.") from None
    if not text.strip():
        raise ValueError("The file is empty.")
    if "\x00" in text:
        raise ValueError("The file is not a text CSV file (it holds binary data).")
    first = text.split("\n", 1)[0]
    # Excel in many European locales saves CSV with semicolons (and a decimal comma).
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)), delimiter
    except csv.Error as exc:
        raise ValueError(f"The CSV file cannot be read: {exc}.") from None
